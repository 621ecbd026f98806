/**
 * Rate limiting with the Workers rate-limit bindings: authenticated requests count per user
 * (RATE_LIMIT_USER), anonymous ones per client IP (RATE_LIMIT_ANONYMOUS; CF-Connecting-IP is set by
 * Cloudflare's edge and cannot be forged by the client). Over the limit: 429 with Retry-After. The
 * bindings count per Cloudflare location, which is their documented model — a client is served by
 * the location nearest to it.
 */
import type { Principal } from '../auth/auth.js';
import type { Env } from '../env.js';
import { HttpError } from './problem.js';

/** The binding's period (seconds): a limited client may retry after at most one period. */
const PERIOD_SECONDS = 60;

export async function enforceRateLimit(env: Env, request: Request, auth: Principal | null): Promise<void> {
  const { success } = auth
    ? await env.RATE_LIMIT_USER.limit({ key: `user:${auth.id}` })
    : await env.RATE_LIMIT_ANONYMOUS.limit({ key: `ip:${request.headers.get('cf-connecting-ip') ?? 'unknown'}` });
  if (!success)
    throw new HttpError(429, 'Too many requests; retry later', undefined, { 'retry-after': String(PERIOD_SECONDS) });
}
