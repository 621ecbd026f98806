import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from '../db/sql.js';
import { HttpError, problemResponses } from '../http/problem.js';
import { dummyHash, verifyPassword } from './passwords.js';
import type { Role } from './roles.js';

const TokenBody = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 320 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
const TokenResponse = Type.Object({
  access_token: Type.String({ maxLength: 4096 }),
  token_type: Type.Literal('Bearer'),
});

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/auth/token',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for an access token',
        security: [{}], // anonymous: this is how a caller obtains credentials
        body: TokenBody,
        response: { 200: TokenResponse, ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => {
      const { rows } = await app.db.query<{ id: string; password_hash: string; role: Role }>(
        sql`SELECT id, password_hash, role FROM auth_users WHERE email = ${request.body.email.toLowerCase()}`,
      );
      const user = rows[0];
      const valid = await verifyPassword(user?.password_hash ?? (await dummyHash()), request.body.password);
      if (!user || !valid) throw new HttpError(401, 'Unknown email or wrong password');
      const token = app.jwt.sign({ sub: user.id, role: user.role });
      return { access_token: token, token_type: 'Bearer' as const };
    },
  );
};
