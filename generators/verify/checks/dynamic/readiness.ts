import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { RedisProxy } from '../../dynamic/proxy.js';
import type { AppProcess } from '../../dynamic/runtime.js';
import { http, type Exchange } from './http.js';

/**
 * Readiness answers 503 when a dependency goes away and 200 again when it is back: Redis, reached
 * through a proxy the check cuts, when the blueprint's projects use Redis (its manifest's `engines`);
 * otherwise PostgreSQL, the same way (a Worker reaches it through Hyperdrive's local proxy, which opens
 * its connections to the cut address).
 */
export const readiness: Check = {
  id: 'dynamic.readiness',
  title: 'Readiness fails when its dependency (Redis, or PostgreSQL without Redis) is down and recovers when it is back',
  seed: seed('s002', 'Design for Failure: graceful degradation; health check patterns'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const servers = await rt.servers();
      const redis = ctx.project.blueprint.manifest.engines.includes('redis');
      const what = redis ? 'Redis' : 'PostgreSQL';
      const proxy = new RedisProxy(new URL(redis ? servers.redisUrl : await rt.migrated('app')));
      await proxy.start();
      // The proxy listens from here on: close it on every path, including the API failing to start.
      let api: AppProcess;
      try {
        api = await rt.startApi(redis ? { redisProxy: proxy, env: { REDIS_KEY_PREFIX: `verify-${rt.runId}-ready` } } : { env: { DATABASE_URL: proxy.url } });
      } catch (err) {
        await proxy.stop();
        throw err;
      }
      const steps: Evidence[] = [];
      const until = async (want: number, ms: number): Promise<{ x: Exchange; ms: number }> => {
        const t0 = Date.now();
        let x = await http(api.url, 'GET', '/health/ready');
        while (x.status !== want && Date.now() - t0 < ms) {
          await new Promise((r) => setTimeout(r, 200));
          x = await http(api.url, 'GET', '/health/ready');
        }
        return { x, ms: Date.now() - t0 };
      };
      try {
        const up = await until(200, 5000);
        steps.push({ text: `${what} up: ${up.x.transcript}` });
        if (up.x.status !== 200) return fail(`readiness is not 200 with ${redis ? 'PostgreSQL and Redis' : 'PostgreSQL'} up`, steps, 'GET /health/ready should answer 200 when its dependencies answer.');
        await proxy.cut();
        const down = await until(503, 10_000);
        steps.push({ text: `${what} stopped: ${down.x.transcript} (after ${down.ms} ms)` });
        if (down.x.status !== 503) return fail(`readiness stays ${down.x.status} with ${what} down`, steps, redis ? 'Make GET /health/ready ping Redis (with a timeout) and answer 503 when it fails.' : 'Make GET /health/ready query PostgreSQL (SELECT 1, with a timeout) and answer 503 when it fails.');
        await proxy.start();
        const back = await until(200, 20_000);
        steps.push({ text: `${what} back: ${back.x.transcript} (after ${back.ms} ms)` });
        if (back.x.status !== 200) return fail(`readiness does not recover when ${what} is back`, steps, redis ? 'Let the Redis client reconnect (ioredis retryStrategy) and readiness answer 200 again.' : 'Open a new connection per check (or let the pool reconnect) so readiness answers 200 again.');
        return pass(`503 within ${down.ms} ms of ${what} stopping, 200 within ${back.ms} ms of it returning`, steps, { downMs: down.ms, recoverMs: back.ms });
      } finally {
        await api.stop();
        await proxy.stop();
      }
    }),
};
