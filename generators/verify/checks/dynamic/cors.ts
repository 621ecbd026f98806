import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import { rawRequest } from './http.js';

/** The origin the runtime configures (CORS_ORIGINS in Runtime.baseEnv). */
const ALLOWED = 'http://localhost:5173';
/** Origins that are not configured: a stranger, a suffix and a prefix trick against sloppy matching, the opaque origin. */
const STRANGERS = ['https://evil.example', 'http://localhost:5173.evil.example', 'http://evil-localhost:5173', 'null'];

/**
 * CORS is an allowlist, observed: preflights and plain requests from origins that are not configured
 * must not be allowed (no Access-Control-Allow-Origin naming them or '*'), whatever the CORS code
 * looks like; the configured origin must be allowed (the allowlist is really applied).
 */
export const corsAllowlist: Check = {
  id: 'dynamic.cors-allowlist',
  title: 'CORS: an origin that is not configured is refused (preflight and request); the configured one is allowed',
  seed: seed('s004', 'Security & Authentication: implement proper CORS policies'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const api = await rt.sharedApi();
      const path = ctx.project.plan.entities[0]?.routePrefix ?? '/health/live';
      const problems: Evidence[] = [];
      const ok: Evidence[] = [];
      const allowedBy = (h: Record<string, string | string[] | undefined>, origin: string) => {
        const acao = String(h['access-control-allow-origin'] ?? '');
        return acao === '*' || acao === origin;
      };
      const preflight = (origin: string) => rawRequest(api.url, 'OPTIONS', path, { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' });
      const plain = (origin: string) => rawRequest(api.url, 'GET', path, { origin });
      for (const origin of STRANGERS) {
        for (const res of [await preflight(origin), await plain(origin)]) {
          const acao = res.headers['access-control-allow-origin'];
          if (allowedBy(res.headers, origin)) problems.push({ text: `${res.transcript} with Access-Control-Allow-Origin: ${String(acao)}${res.headers['access-control-allow-credentials'] === 'true' ? ' and credentials' : ''}` });
          else ok.push({ text: `${res.transcript}, Access-Control-Allow-Origin: ${acao === undefined ? 'absent' : String(acao)}` });
        }
      }
      const own = await preflight(ALLOWED);
      if (!allowedBy(own.headers, ALLOWED) || own.headers['access-control-allow-origin'] === '*')
        problems.push({ text: `${own.transcript}: the configured origin (CORS_ORIGINS=${ALLOWED}) gets Access-Control-Allow-Origin ${JSON.stringify(own.headers['access-control-allow-origin'] ?? null)} — the allowlist is not what decides` });
      else ok.push({ text: `${own.transcript}, Access-Control-Allow-Origin: ${String(own.headers['access-control-allow-origin'])}` });
      if (problems.length) return fail(`CORS is not an allowlist: ${problems.length} exchange(s) wrong`, problems, 'Set the CORS origin to the exact list from the environment (CORS_ORIGINS, comma-separated); never "*", true, a function that accepts everything, or a pattern that matches other hosts.');
      return pass(`${STRANGERS.length} unconfigured origins refused (preflight and request); ${ALLOWED} allowed`, ok);
    }),
};
