import ts from 'typescript';
import { calleeName, findAll } from '../../analysis/source.js';
import { evaluate } from '../../analysis/evaluate.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

/**
 * Liveness and readiness endpoints, and readiness really checks its dependencies: its handler reads
 * PostgreSQL (and pings Redis when the blueprint's projects use Redis: its manifest's `engines`) and has
 * a path answering 503. Metrics are exposed: a /metrics endpoint, or — when the plan says metrics are
 * pushed (`metricsPush`, e.g. a Worker writing Workers Analytics Engine data points, which has no process
 * to scrape) — a call of that push method in src/.
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
    const live = routes.find((r) => /\/(health\/live|livez|healthz|live)$/.test(r.path));
    const ready = routes.find((r) => /\/(health\/ready|readyz|ready)$/.test(r.path));
    const metrics = routes.find((r) => r.path === '/metrics');
    const push = project.plan.metricsPush;
    const usesRedis = project.blueprint.manifest.engines.includes('redis');
    if (live) ok.push({ file: live.file, line: live.line, text: `GET ${live.path}` });
    else problems.push({ text: 'no liveness route (GET /health/live)' });
    if (push) {
      const call = sources.app.flatMap(({ sf }) => findAll(sf, ts.isCallExpression)).find((c) => ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === push.method);
      if (call) ok.push(sources.at(call, `metrics pushed to ${push.sink}: ${call.getText().replace(/\s+/g, ' ').slice(0, 80)}`));
      else problems.push({ text: `no .${push.method}(…) call in src/: no metrics reach ${push.sink}` });
    } else if (metrics) ok.push({ file: metrics.file, line: metrics.line, text: 'GET /metrics' });
    else problems.push({ text: 'no GET /metrics route on the API' });
    if (!ready) problems.push({ text: 'no readiness route (GET /health/ready)' });
    else {
      const body = ready.handler;
      const called = new Set(body ? findAll(body, ts.isCallExpression).map((c) => calleeName(c)) : []);
      const statuses = body
        ? findAll(body, (n): n is ts.CallExpression | ts.NewExpression => ts.isCallExpression(n) || ts.isNewExpression(n))
            .flatMap((c) => (c.arguments ?? []).map((a) => evaluate(sources, a)))
            .filter((v) => typeof v === 'number' && v >= 500 && v <= 599)
        : [];
      const at = { file: ready.file, line: ready.line };
      if (!called.has('query')) problems.push({ ...at, text: `GET ${ready.path} does not query PostgreSQL` });
      if (usesRedis && !called.has('ping')) problems.push({ ...at, text: `GET ${ready.path} does not ping Redis` });
      if (statuses.length === 0) problems.push({ ...at, text: `GET ${ready.path} has no path answering 503: it reports ready even when a dependency is down` });
      if (problems.length === 0) ok.push({ ...at, text: `GET ${ready.path}: queries PostgreSQL${usesRedis ? ', pings Redis' : ''}, answers ${statuses[0]} when ${usesRedis ? 'one is' : 'it is'} down` });
    }
    return verdict(problems, { summary: `Liveness, readiness (checks PostgreSQL${usesRedis ? ' and Redis' : ''}) and ${push ? `metrics pushed to ${push.sink}` : '/metrics'} are served`, evidence: ok }, { summary: `${problems.length} health-endpoint problem(s)`, fix: 'Serve GET /health/live (process up) and GET /health/ready (SELECT 1 and Redis PING, 503 when either fails), and GET /metrics.' });
  },
};
