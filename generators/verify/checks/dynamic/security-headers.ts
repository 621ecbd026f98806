import { randomUUID } from 'node:crypto';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { rawRequest } from './http.js';

type Headers = Record<string, string | string[] | undefined>;

/** The headers every response must carry (whatever sets them: helmet, a hook, a proxy in front is not counted). */
const REQUIRED: { name: string; ok: (h: Headers) => boolean; want: string }[] = [
  { name: 'x-content-type-options', ok: (h) => String(h['x-content-type-options'] ?? '').toLowerCase() === 'nosniff', want: 'nosniff' },
  { name: 'strict-transport-security', ok: (h) => Number(/max-age=(\d+)/i.exec(String(h['strict-transport-security'] ?? ''))?.[1] ?? 0) > 0, want: 'max-age > 0' },
  { name: 'x-frame-options', ok: (h) => /^(deny|sameorigin)$/i.test(String(h['x-frame-options'] ?? '')) || /frame-ancestors/i.test(String(h['content-security-policy'] ?? '')), want: 'DENY/SAMEORIGIN (or CSP frame-ancestors)' },
  { name: 'x-powered-by', ok: (h) => h['x-powered-by'] === undefined, want: 'absent' },
];

/**
 * Security headers, observed on real responses: every route the source declares (path parameters
 * filled with a random id, so reads are 404s and writes with `{}` are 400s — real answers all the
 * same), an unknown path (404), a malformed body (400), a request without a token (401) and the
 * health probe. Whatever sets the headers, each response must carry them.
 */
export const securityHeaders: Check = {
  id: 'dynamic.security-headers',
  title: 'Security headers on every response (each route, 404, 400, 401)',
  seed: seed('s001', 'Security-First Architecture: defense in depth across all system layers'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const api = await rt.sharedApi();
      const tokens = await rt.tokens();
      const auth = { authorization: `Bearer ${tokens.admin}` };
      const probes: { method: string; path: string; headers: Record<string, string>; body?: string }[] = [
        { method: 'GET', path: '/health/live', headers: {} },
        { method: 'GET', path: `/no-such-route-${rt.runId}`, headers: auth },
      ];
      for (const r of await ctx.project.routes()) {
        if (r.method.includes(',') || r.method === 'HEAD' || r.method === 'OPTIONS') continue;
        const path = r.path.replace(/:[A-Za-z_]\w*/g, () => randomUUID());
        const write = r.method !== 'GET' && r.method !== 'DELETE';
        probes.push({ method: r.method, path, headers: auth, ...(write ? { body: '{}' } : {}) });
        if (write) {
          probes.push({ method: r.method, path, headers: auth, body: '{"unterminated' }); // the error handler's path
          probes.push({ method: r.method, path, headers: {}, body: '{}' }); // 401
        }
      }
      const problems: Evidence[] = [];
      const statuses = new Map<number, number>();
      for (const p of probes) {
        const res = await rawRequest(api.url, p.method, p.path, p.headers, p.body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const missing = REQUIRED.filter((h) => !h.ok(res.headers)).map((h) => `${h.name} (want ${h.want}, got ${JSON.stringify(res.headers[h.name] ?? null)})`);
        if (missing.length) problems.push({ text: `${res.transcript}: ${missing.join('; ')}` });
      }
      const figures = { responses: probes.length, ...Object.fromEntries([...statuses].map(([s, n]) => [`status${s}`, n])) };
      if (problems.length) return fail(`${problems.length} of ${probes.length} responses lack security headers`, problems, 'Set the headers at the root of the HTTP stack (a security-headers middleware such as helmet, registered before the routes and not inside an encapsulated scope) so every response — routes, 404s and errors — carries nosniff, HSTS and frame protection; remove X-Powered-By.', figures);
      return pass(`${probes.length} responses (every route, 404, 400, 401) carry ${REQUIRED.map((h) => h.name).join(', ')}`, [{ text: `statuses: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}` }], figures);
    }),
};
