import { MUTATING, routeHooks, routeLabel } from '../../analysis/routes.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';
import { AUTH_RE, isForwardingRoute, PUBLIC_AUTH_ROUTE } from './helpers.js';

export const authOnMutations: Check = {
  id: 'api.auth-on-mutations',
  title: 'Every mutating route requires authentication',
  seed: seed('s000', 'Security Checklist: Authentication (JWT) and Authorization (RBAC)'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const routes = (await project.routes()).filter((r) => r.method.split(',').some((m) => MUTATING.has(m)));
    if (routes.length === 0) return skip('No mutating routes found');
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    for (const r of routes) {
      if (PUBLIC_AUTH_ROUTE.test(r.path)) {
        ok.push({ file: r.file, line: r.line, text: `${routeLabel(r)}: public by design (issues tokens)` });
        continue;
      }
      if (isForwardingRoute(project.plan.httpProcesses, r)) {
        ok.push({ file: r.file, line: r.line, text: `${routeLabel(r)}: forwards to the services behind it, whose mutating routes authenticate and authorize (judged here too)` });
        continue;
      }
      const auth = routeHooks(sources, r).find((h) => AUTH_RE.test(h.text));
      if (auth) ok.push({ file: r.file, line: r.line, text: `${routeLabel(r)}: ${auth.hook} ${auth.text}` });
      else problems.push({ file: r.file, line: r.line, text: `${routeLabel(r)} has no authentication hook (onRequest/preValidation/preHandler)` });
    }
    return verdict(
      problems,
      { summary: `${routes.length} mutating route(s), each behind authentication`, evidence: ok },
      { summary: `${problems.length} mutating route(s) without authentication`, fix: 'Add `preValidation: authorize([...roles])` to the route options (401 without a token, 403 for a wrong role).' },
    );
  },
};
