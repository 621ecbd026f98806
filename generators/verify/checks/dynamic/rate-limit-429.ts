import { fail, pass, seed, type Check } from '../../types.js';
import { withRuntime } from './guard.js';
import { http, type Exchange } from './http.js';

/** A burst from one client gets 429 with Retry-After (on its own API process and key prefix, so other checks are not limited). */
export const rateLimit429: Check = {
  id: 'dynamic.rate-limit-429',
  title: 'A burst gets 429 with Retry-After',
  seed: seed('s000', 'Security Checklist: Rate limiting (per-user, per-IP)'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const max = 20;
      const api = await rt.startApi({ env: { REDIS_KEY_PREFIX: `verify-${rt.runId}-burst`, RATE_LIMIT_ANONYMOUS_MAX: String(max) } });
      try {
        const path = ctx.project.plan.entities[0]?.routePrefix ?? '/';
        const results: Exchange[] = [];
        for (let batch = 0; batch < 3 && !results.some((r) => r.status === 429); batch++) {
          results.push(...(await Promise.all(Array.from({ length: max }, () => http(api.url, 'GET', path)))));
        }
        const limited = results.find((r) => r.status === 429);
        const figures = { requests: results.length, limit: max, limited: results.filter((r) => r.status === 429).length };
        if (!limited) return fail(`${results.length} anonymous requests to GET ${path} in a burst, none answered 429`, [{ text: results[results.length - 1]!.transcript }], 'Rate limit every route, with a store every instance shares (RATE_LIMIT_ANONYMOUS_MAX requests per IP).', figures);
        const retryAfter = limited.headers.get('retry-after');
        if (!retryAfter) return fail('429 without a Retry-After header', [{ text: limited.transcript }], 'Keep the rate limiter\'s Retry-After header (addHeaders).', figures);
        return pass(`burst of ${results.length} → ${figures.limited} × 429 with Retry-After: ${retryAfter}`, [{ text: `${limited.transcript} [Retry-After: ${retryAfter}]` }], figures);
      } finally {
        await api.stop();
      }
    }),
};
