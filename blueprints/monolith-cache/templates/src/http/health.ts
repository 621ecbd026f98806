import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from '../db/sql.js';
import { withTimeout } from '../lib/timeout.js';
import { ProblemSchema, sendProblem } from './problem.js';

const Ok = Type.Object({ status: Type.Literal('ok') });
const noRateLimit = { rateLimit: false } as const;

/** Liveness (the process answers) and readiness (PostgreSQL and Redis both answer within 1 s). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    { config: noRateLimit, schema: { tags: ['health'], summary: 'Liveness', response: { 200: Ok } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: noRateLimit,
      schema: {
        tags: ['health'],
        summary: 'Readiness: PostgreSQL and Redis reachable',
        response: { 200: Ok, 503: ProblemSchema },
      },
    },
    async (request, reply) => {
      const [database, redis] = await Promise.all([
        withTimeout(app.db.query(sql`SELECT 1`), 1000, 'database check').then(
          () => true,
          (err: unknown) => (request.log.warn({ err }, 'readiness: database unavailable'), false),
        ),
        withTimeout(app.redis.ping(), 1000, 'redis check').then(
          () => true,
          (err: unknown) => (request.log.warn({ err }, 'readiness: redis unavailable'), false),
        ),
      ]);
      if (!database || !redis) {
        const down = [!database && 'database', !redis && 'redis'].filter(Boolean).join(', ');
        return sendProblem(reply, 503, `Not ready: ${down} unavailable`);
      }
      return { status: 'ok' as const };
    },
  );
};

/** Prometheus scrape endpoint; gauges that describe the pool and the queues are read at scrape time. */
export const metricsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/metrics',
    { config: noRateLimit, schema: { hide: true, response: { 200: Type.String() } } },
    async (_request, reply) => {
      await app.refreshGauges();
      return reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
    },
  );
};
