/**
 * Authentication (JWT bearer tokens) and role-based authorization.
 *
 * A global onRequest hook verifies the token when one is sent and never rejects: it only sets
 * request.auth. It runs before the rate limiter so the limiter can key on the user. Routes then
 * use `authorize(roles)`: 401 without a valid token, 403 with a role not in the list.
 *
 * Verified tokens are remembered briefly (VERIFIED_TTL_MS, never past their own expiry), so a client
 * sending the same token again costs a map lookup instead of an HMAC and a JSON parse. Only tokens
 * whose signature verified are remembered; the cache is bounded (oldest entries go first).
 */
import fastifyJwt from '@fastify/jwt';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http/problem.js';
import { isRole, type Role } from './roles.js';

export interface AuthUser {
  id: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthUser | null;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: string; role: Role };
  }
}

const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERIFIED_TTL_MS = 30_000;
const VERIFIED_MAX = 10_000;
const BEARER = /^Bearer +(\S+)$/i;

export const authPlugin = fp<{ secret: string; expiresIn: string }>(
  async (app, options) => {
    await app.register(fastifyJwt, { secret: options.secret, sign: { expiresIn: options.expiresIn } });
    app.decorateRequest('auth', null);
    const verified = new Map<string, { auth: AuthUser; until: number }>();
    app.addHook('onRequest', (request, _reply, done) => {
      const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
      if (!token) return done();
      const now = Date.now();
      const known = verified.get(token);
      if (known && now < known.until) {
        request.auth = known.auth;
        return done();
      }
      verified.delete(token);
      try {
        const payload = app.jwt.verify<{ sub?: unknown; role?: unknown; exp?: unknown }>(token);
        // The subject is a user id (a uuid): anything else is not a token this API issued.
        if (typeof payload.sub === 'string' && USER_ID.test(payload.sub) && isRole(payload.role)) {
          request.auth = { id: payload.sub, role: payload.role };
          const expiresAt = typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity;
          if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value as string);
          verified.set(token, { auth: request.auth, until: Math.min(expiresAt, now + VERIFIED_TTL_MS) });
        }
      } catch {
        // Invalid or expired: stay anonymous; authorize() answers 401 where a token is required.
      }
      done();
    });
  },
  { name: 'auth' },
);

/**
 * A preValidation hook: runs after rate limiting and before body validation (so 401/403 win over 400).
 * Callback-style, like every hook on the hot path: no promise per request.
 */
export function authorize(roles: readonly Role[]) {
  return (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
    if (!request.auth) return done(new HttpError(401, 'A valid bearer token is required'));
    if (!roles.includes(request.auth.role))
      return done(new HttpError(403, `Requires one of the roles: ${roles.join(', ')}`));
    done();
  };
}
