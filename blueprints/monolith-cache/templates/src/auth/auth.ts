/**
 * Authentication (JWT bearer tokens) and role-based authorization.
 *
 * A global onRequest hook verifies the token when one is sent and never rejects: it only sets
 * request.auth. It runs before the rate limiter so the limiter can key on the user. Routes then
 * use `authorize(roles)`: 401 without a valid token, 403 with a role not in the list.
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

export const authPlugin = fp<{ secret: string; expiresIn: string }>(
  async (app, options) => {
    await app.register(fastifyJwt, { secret: options.secret, sign: { expiresIn: options.expiresIn } });
    app.decorateRequest('auth', null);
    app.addHook('onRequest', async (request) => {
      if (!request.headers.authorization) return;
      try {
        const payload = await request.jwtVerify<{ sub?: unknown; role?: unknown }>();
        // The subject is a user id (a uuid): anything else is not a token this API issued.
        if (typeof payload.sub === 'string' && USER_ID.test(payload.sub) && isRole(payload.role))
          request.auth = { id: payload.sub, role: payload.role };
      } catch {
        // Invalid or expired: stay anonymous; authorize() answers 401 where a token is required.
      }
    });
  },
  { name: 'auth' },
);

/** A preValidation hook: runs after rate limiting and before body validation (so 401/403 win over 400). */
export function authorize(roles: readonly Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    if (!request.auth) throw new HttpError(401, 'A valid bearer token is required');
    if (!roles.includes(request.auth.role)) throw new HttpError(403, `Requires one of the roles: ${roles.join(', ')}`);
  };
}
