import { request } from 'node:http';
import { fail, pass, seed, skip, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { ensureRows } from './ensure.js';
import { createBody } from './http.js';

/**
 * SIGTERM drains in-flight requests: a create whose body is still arriving when the API gets SIGTERM
 * completes with 201; new connections are refused meanwhile; the process then exits 0.
 */
export const gracefulShutdown: Check = {
  id: 'dynamic.graceful-shutdown',
  title: 'SIGTERM drains an in-flight request, then the API exits cleanly',
  seed: seed('s004', 'Performance & Reliability: design for graceful degradation; fail fast and explicitly'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const e = ctx.project.plan.entities.find((x) => x.permissions.write.includes('admin')) ?? ctx.project.plan.entities[0];
      if (!e) return skip('No entities');
      const tokens = await rt.tokens();
      const parents = await ensureRows(rt, ctx.project);
      const api = await rt.startApi({ env: { REDIS_KEY_PREFIX: `verify-${rt.runId}-drain` } });
      const steps: Evidence[] = [];
      try {
        const payload = JSON.stringify(createBody(e, 900_000 + (Date.now() % 100_000), parents));
        const half = Math.floor(payload.length / 2);
        const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(`${api.url}${e.routePrefix}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${tokens.admin}` } }, (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', reject);
          req.write(payload.slice(0, half));
          setTimeout(() => {
            api.proc.kill('SIGTERM');
            steps.push({ text: `POST ${e.routePrefix}: headers and half the body sent, then SIGTERM` });
            setTimeout(async () => {
              const refused = await fetch(`${api.url}/health/live`, { signal: AbortSignal.timeout(2000) }).then((r) => `answered ${r.status}`, () => 'refused');
              steps.push({ text: `a new connection during the drain: ${refused}` });
              req.end(payload.slice(half));
            }, 500);
          }, 300);
        });
        const res = await response.catch((err: Error) => ({ status: 0, body: err.message }));
        steps.push({ text: `in-flight request → ${res.status} ${res.body.slice(0, 120)}` });
        // Bounded wait for the exit; the timer is cleared either way so verify itself exits at once.
        let timer: NodeJS.Timeout | undefined;
        const exit = await Promise.race([api.exited, new Promise<null>((r) => (timer = setTimeout(() => r(null), 15_000)))]).finally(() => clearTimeout(timer));
        steps.push({ text: `process exit: ${exit ? `code ${exit.code}${exit.signal ? ` signal ${exit.signal}` : ''}` : 'still running after 15 s'}` });
        if (res.status !== 201) return fail(`the in-flight request was not completed (${res.status || 'connection error'})`, steps, 'On SIGTERM call app.close() (stop accepting, wait for in-flight requests) before closing the pool and Redis.');
        if (!exit || exit.code !== 0) return fail('the API did not exit cleanly after draining', steps, 'Exit 0 once app.close() resolves; keep the forced exit only as a timeout.');
        return pass('SIGTERM: the in-flight create completed with 201, then the process exited 0', steps);
      } finally {
        await api.stop();
      }
    }),
};
