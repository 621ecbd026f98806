import ts from 'typescript';
import { calleeName, findAll } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import type { RouteModel } from '../../analysis/routes.js';
import type { Sources } from '../../analysis/source.js';
import type { HttpProcessPlan } from '../../../plan/types.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

/** One API process that reads PostgreSQL and Redis, with its sources under src/ (a blueprint that declares none). */
const ONE_API: HttpProcessPlan = { name: 'api', sources: 'src/', readinessChecks: ['postgresql', 'redis'] };

/**
 * Liveness and readiness endpoints, and readiness really checks its dependencies: its handler reads
 * PostgreSQL (and pings Redis when the blueprint's projects use Redis: its manifest's `engines`) and has
 * a path answering 503. Metrics are exposed: a /metrics endpoint, or — when the plan says metrics are
 * pushed (`metricsPush`, e.g. a Worker writing Workers Analytics Engine data points, which has no process
 * to scrape) — a call of that push method in src/.
 * A blueprint with more than one HTTP process (a gateway in front of services) declares them in
 * `plan.httpProcesses`: each must serve liveness and readiness, its readiness checking the dependencies
 * that process has (a gateway with no database pings Redis only).
 */
export const healthEndpoints: Check = {
  id: 'observability.health-endpoints',
  title: 'Liveness, readiness (PostgreSQL + Redis, 503 when down) and /metrics endpoints',
  seed: seed('s004', 'Performance & Reliability: design health check endpoints for monitoring and load balancing'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const routes = (await project.routes()).filter((r) => r.method === 'GET');
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    const declared = project.plan.httpProcesses;
    // One API process: it reads PostgreSQL, and pings Redis when the blueprint's projects use Redis (its manifest's `engines`).
    const usesRedis = project.blueprint.manifest.engines.includes('redis');
    const processes = declared ?? [{ ...ONE_API, readinessChecks: usesRedis ? ONE_API.readinessChecks : ONE_API.readinessChecks.filter((c) => c !== 'redis') }];
    // A route belongs to the declared process with the most specific sources prefix.
    const owner = (file: string) => [...processes].sort((a, b) => b.sources.length - a.sources.length).find((p) => file.startsWith(p.sources));
    for (const p of processes) {
      const own = declared ? routes.filter((r) => owner(r.file) === p) : routes;
      const label = declared ? ` of the ${p.name} process (${p.sources})` : '';
      const live = own.find((r) => /\/(health\/live|livez|healthz|live)$/.test(r.path));
      const ready = own.find((r) => /\/(health\/ready|readyz|ready)$/.test(r.path));
      if (live) ok.push({ file: live.file, line: live.line, text: `GET ${live.path}` });
      else problems.push({ text: `no liveness route (GET /health/live)${label}` });
      if (!ready) problems.push({ text: `no readiness route (GET /health/ready)${label}` });
      else judgeReadiness(sources, ready, p.readinessChecks, problems, ok);
    }
    const metrics = routes.find((r) => r.path === '/metrics');
    const push = project.plan.metricsPush;
    if (push) {
      const call = sources.app.flatMap(({ sf }) => findAll(sf, ts.isCallExpression)).find((c) => ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === push.method);
      if (call) ok.push(sources.at(call, `metrics pushed to ${push.sink}: ${call.getText().replace(/\s+/g, ' ').slice(0, 80)}`));
      else problems.push({ text: `no .${push.method}(…) call in src/: no metrics reach ${push.sink}` });
    } else if (metrics) ok.push({ file: metrics.file, line: metrics.line, text: 'GET /metrics' });
    else problems.push({ text: 'no GET /metrics route on the API' });
    const deps = declared ? "each process's dependencies" : processes[0]!.readinessChecks.map((c) => (c === 'postgresql' ? 'PostgreSQL' : 'Redis')).join(' and ');
    return verdict(
      problems,
      { summary: `Liveness and readiness (checking ${deps})${declared ? ` in ${processes.length} HTTP processes` : ''}, and ${push ? `metrics pushed to ${push.sink}` : '/metrics'}, are served`, evidence: ok },
      { summary: `${problems.length} health-endpoint problem(s)`, fix: 'Serve GET /health/live (process up) and GET /health/ready (SELECT 1 and Redis PING, 503 when either fails), and GET /metrics.' },
    );
  },
};

/** A readiness handler queries PostgreSQL and pings Redis (those the process uses) and has a 5xx path. */
function judgeReadiness(sources: Sources, ready: RouteModel, checks: HttpProcessPlan['readinessChecks'], problems: Evidence[], ok: Evidence[]): void {
  const body = ready.handler;
  const called = new Set(body ? findAll(body, ts.isCallExpression).map((c) => calleeName(c)) : []);
  const statuses = body
    ? findAll(body, (n): n is ts.CallExpression | ts.NewExpression => ts.isCallExpression(n) || ts.isNewExpression(n))
        .flatMap((c) => (c.arguments ?? []).map((a) => evaluate(sources, a)))
        .filter((v) => typeof v === 'number' && v >= 500 && v <= 599)
    : [];
  const at = { file: ready.file, line: ready.line };
  const before = problems.length;
  if (checks.includes('postgresql') && !called.has('query')) problems.push({ ...at, text: `GET ${ready.path} does not query PostgreSQL` });
  if (checks.includes('redis') && !called.has('ping')) problems.push({ ...at, text: `GET ${ready.path} does not ping Redis` });
  if (statuses.length === 0) problems.push({ ...at, text: `GET ${ready.path} has no path answering 503: it reports ready even when a dependency is down` });
  const what = [checks.includes('postgresql') ? 'queries PostgreSQL' : '', checks.includes('redis') ? 'pings Redis' : ''].filter(Boolean).join(', ');
  if (problems.length === before) ok.push({ ...at, text: `GET ${ready.path}: ${what}, answers ${statuses[0]} when one is down` });
}
