import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { RedisProxy } from '../../dynamic/proxy.js';
import type { AppProcess } from '../../dynamic/runtime.js';
import { http, type Exchange } from './http.js';

/** Readiness answers 503 when Redis goes away and 200 again when it is back (Redis reached through a proxy the check cuts). */
export const readiness: Check = {
  id: 'dynamic.readiness',
  title: 'Readiness fails when Redis is down and recovers when it is back',
  seed: seed('s002', 'Design for Failure: graceful degradation; health check patterns'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const servers = await rt.servers();
      const proxy = new RedisProxy(new URL(servers.redisUrl));
      await proxy.start();
      // The proxy listens from here on: close it on every path, including the API failing to start.
      let api: AppProcess;
      try {
        api = await rt.startApi({ redisProxy: proxy, env: { REDIS_KEY_PREFIX: `verify-${rt.runId}-ready` } });
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
        steps.push({ text: `Redis up: ${up.x.transcript}` });
        if (up.x.status !== 200) return fail('readiness is not 200 with PostgreSQL and Redis up', steps, 'GET /health/ready should answer 200 when both answer.');
        await proxy.cut();
        const down = await until(503, 10_000);
        steps.push({ text: `Redis stopped: ${down.x.transcript} (after ${down.ms} ms)` });
        if (down.x.status !== 503) return fail('readiness stays ' + down.x.status + ' with Redis down', steps, 'Make GET /health/ready ping Redis (with a timeout) and answer 503 when it fails.');
        await proxy.start();
        const back = await until(200, 20_000);
        steps.push({ text: `Redis back: ${back.x.transcript} (after ${back.ms} ms)` });
        if (back.x.status !== 200) return fail('readiness does not recover when Redis is back', steps, 'Let the Redis client reconnect (ioredis retryStrategy) and readiness answer 200 again.');
        return pass(`503 within ${down.ms} ms of Redis stopping, 200 within ${back.ms} ms of it returning`, steps, { downMs: down.ms, recoverMs: back.ms });
      } finally {
        await api.stop();
        await proxy.stop();
      }
    }),
};
