/**
 * Liveness (the Worker answers) and readiness (PostgreSQL answers through Hyperdrive; otherwise 503
 * as problem+json with Retry-After, the one error format of every route). Neither needs a token nor
 * counts against the rate limits.
 */
import { sql } from '../db/sql.js';
import { Type } from '@sinclair/typebox';
import { problemResponse, ProblemSchema } from './problem.js';
import { route, type HttpRoute } from './router.js';
import { json } from './validate.js';

const Health = Type.Object({
  status: Type.Literal('ok'),
  checks: Type.Optional(Type.Object({ postgres: Type.Literal('ok') })),
});

export const healthRoutes: HttpRoute[] = [
  route({
    method: 'GET',
    path: '/health/live',
    roles: null,
    schema: { summary: 'Liveness', hide: true, response: { 200: Health } },
    handler: async () => json(200, { status: 'ok' }),
  }),
  route({
    method: 'GET',
    path: '/health/ready',
    roles: null,
    schema: {
      summary: 'Readiness: PostgreSQL answers through Hyperdrive',
      hide: true,
      response: { 200: Health, 503: ProblemSchema },
    },
    async handler(ctx) {
      try {
        const db = await ctx.db();
        await db.query(sql`SELECT 1`);
        return json(200, { status: 'ok', checks: { postgres: 'ok' } });
      } catch (err) {
        ctx.log.warn('not ready: PostgreSQL unreachable', { err });
        return problemResponse(
          503,
          { url: ctx.request.url, requestId: ctx.id },
          'Not ready: PostgreSQL is unreachable through Hyperdrive',
          undefined,
          { 'retry-after': '5' },
        );
      }
    },
  }),
];
