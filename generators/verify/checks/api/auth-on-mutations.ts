import ts from 'typescript';
import { MUTATING, routeHooks, routeLabel } from '../../analysis/routes.js';
import { findAll, oneLine, type Sources } from '../../analysis/source.js';
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
    const routerAuthorizes = routes.some((r) => r.roles !== undefined) ? authorizesRouteRoles(sources) : undefined;
    for (const r of routes) {
      if (PUBLIC_AUTH_ROUTE.test(r.path)) {
        ok.push({ file: r.file, line: r.line, text: `${routeLabel(r)}: public by design (issues tokens)` });
        continue;
      }
      if (isForwardingRoute(project.plan.httpProcesses, r)) {
        ok.push({ file: r.file, line: r.line, text: `${routeLabel(r)}: forwards to the services behind it, whose mutating routes authenticate and authorize (judged here too)` });
        continue;
      }
      if (r.roles !== undefined) {
        // A route table: the route names its roles, and the router must authorize them before the handler.
        const roles = sources.resolve(r.roles);
        if (!roles || roles.kind === ts.SyntaxKind.NullKeyword || (ts.isArrayLiteralExpression(roles) && roles.elements.length === 0))
          problems.push({ file: r.file, line: r.line, text: `${routeLabel(r)} is public (roles: ${r.roles.getText()})` });
        else if (!routerAuthorizes) problems.push({ file: r.file, line: r.line, text: `${routeLabel(r)} names roles (${oneLine(r.roles.getText())}), but no code authorizes a route's roles (authorize(…, <route>.roles))` });
        else ok.push({ file: r.file, line: r.line, text: `${routeLabel(r)}: roles ${oneLine(r.roles.getText())}, authorized by ${oneLine(routerAuthorizes.getText())}` });
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

/**
 * The call that authorizes a matched route's roles in a route-table router: an authorize-like call
 * (AUTH_RE) given the route's `roles` (`authorize(auth, found.route.roles)`, directly or through a variable).
 */
function authorizesRouteRoles(sources: Sources): ts.CallExpression | undefined {
  for (const { sf } of sources.app)
    for (const c of findAll(sf, ts.isCallExpression)) {
      const callee = ts.isPropertyAccessExpression(c.expression) ? c.expression.name.text : c.expression.getText();
      if (!AUTH_RE.test(callee)) continue;
      if (c.arguments.some((a) => { const v = sources.resolve(a); return !!v && ts.isPropertyAccessExpression(v) && v.name.text === 'roles'; })) return c;
    }
  return undefined;
}
