/** POST /auth/token: email + password → a short-lived access token. */
import { Type } from '@sinclair/typebox';
import { sql } from '../db/sql.js';
import { HttpError } from '../http/problem.js';
import type { HttpRoute } from '../http/router.js';
import { json, readBody } from '../http/validate.js';
import { signJwt } from './jwt.js';
import { dummyHash, verifyPassword } from './passwords.js';
import type { Role } from './roles.js';

export const TokenBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export const authRoutes: HttpRoute[] = [
  {
    method: 'POST',
    path: '/auth/token',
    roles: null, // anonymous: this is how a caller obtains credentials
    async handler(ctx) {
      const body = await readBody(ctx.request, TokenBody);
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
  },
];
