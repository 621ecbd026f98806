import { cannotRun, fail, pass, seed, skip, type Check } from '../../types.js';
import { withRuntime } from './guard.js';
import { ensureRows } from './ensure.js';
import { http } from './http.js';

export const LOAD = { connections: 20, durationSeconds: 3, p95TargetMs: 100 };

interface Autocannon {
  (opts: Record<string, unknown>): NodeJS.EventEmitter & PromiseLike<{ requests: { average: number; total: number }; non2xx: number; errors: number; timeouts: number }>;
}

/** A short bounded load on a cached read by id, on loopback: p95 under the seed's 100 ms. */
export const loadP95: Check = {
  id: 'dynamic.load-p95',
  title: `Cached read by id under load: p95 < ${LOAD.p95TargetMs} ms (${LOAD.connections} connections, ${LOAD.durationSeconds} s, loopback)`,
  seed: seed('s000', 'Performance Targets: API response time <100ms (p95)'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      let autocannon: Autocannon;
      try {
        autocannon = rt.require<Autocannon>('autocannon');
      } catch {
        return cannotRun('skipped: autocannon is not installed in the project', 'npm install --save-dev autocannon');
      }
      const e = ctx.project.plan.entities[0];
      if (!e) return skip('No entities');
      const api = await rt.sharedApi();
      const tokens = await rt.tokens();
      const ids = await ensureRows(rt, ctx.project);
      const path = `${e.routePrefix}/${ids[e.name]}`;
      await http(api.url, 'GET', path, { token: tokens.admin }); // warm the cache
      const latencies: number[] = [];
      const run = autocannon({ url: `${api.url}${path}`, connections: LOAD.connections, duration: LOAD.durationSeconds, headers: { authorization: `Bearer ${tokens.admin}` } });
      run.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
      const result = await run;
      latencies.sort((a, b) => a - b);
      const pct = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN).toFixed(1));
      const figures = { requests: result.requests.total, rps: Math.round(result.requests.average), p50ms: pct(50), p95ms: pct(95), p99ms: pct(99), non2xx: result.non2xx, errors: result.errors + result.timeouts };
      const evidence = [{ text: `GET ${path} (bearer, cached): ${figures.requests} requests, ${figures.rps} req/s, p50 ${figures.p50ms} ms, p95 ${figures.p95ms} ms, p99 ${figures.p99ms} ms, non-2xx ${figures.non2xx}` }];
      if (latencies.length === 0 || figures.non2xx > 0 || figures.errors > 0) return fail(`the load run had ${figures.non2xx} non-2xx answers and ${figures.errors} errors`, evidence, 'The cached read must answer 200 under load; check the rate limit and the cache.', figures);
      if (figures.p95ms >= LOAD.p95TargetMs) return fail(`p95 ${figures.p95ms} ms ≥ ${LOAD.p95TargetMs} ms`, evidence, 'Profile the read path: it should be one Redis GET (cache-aside) on a hit.', figures);
      return pass(`p95 ${figures.p95ms} ms < ${LOAD.p95TargetMs} ms at ${figures.rps} req/s`, evidence, figures);
    }),
};
