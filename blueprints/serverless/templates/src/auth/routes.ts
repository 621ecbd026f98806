/** POST /auth/token: email + password → a short-lived access token. */
import { Type } from '@sinclair/typebox';
import { sql } from '../db/sql.js';
import { HttpError, problemResponses } from '../http/problem.js';
import { route, type HttpRoute } from '../http/router.js';
import { json } from '../http/validate.js';
import { signJwt } from './jwt.js';
import { dummyHash, verifyPassword } from './passwords.js';
import type { Role } from './roles.js';

export const TokenBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const TokenResponse = Type.Object({
  access_token: Type.String({
    maxLength: 4096,
    description: 'An HMAC-signed JWT (HS256) for the Authorization header',
  }),
  token_type: Type.Literal('Bearer'),
});

export const authRoutes: HttpRoute[] = [
  route({
    method: 'POST',
    path: '/auth/token',
    roles: null, // anonymous: this is how a caller obtains credentials
    schema: {
      summary: 'Exchange email and password for an access token',
      tags: ['auth'],
      body: TokenBody,
      response: { 200: TokenResponse, ...problemResponses(400, 401, 413, 415, 429, 503) },
    },
    async handler(ctx, { body }) {
      const db = await ctx.db();
      const { rows } = await db.query<{ id: string; password_hash: string; role: Role }>(
        sql`SELECT id, password_hash, role FROM auth_users WHERE email = ${body.email.toLowerCase()}`,
      );
      const user = rows[0];
      const valid = await verifyPassword(user?.password_hash ?? (await dummyHash()), body.password);
      if (!user || !valid) throw new HttpError(401, 'Unknown email or wrong password');
      const token = await signJwt(
        { sub: user.id, role: user.role },
        ctx.config.JWT_SECRET,
        ctx.config.JWT_EXPIRES_IN_SECONDS,
      );
      return json(200, { access_token: token, token_type: 'Bearer' });
    },
  }),
];
