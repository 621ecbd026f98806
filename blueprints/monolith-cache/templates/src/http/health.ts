import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from '../db/sql.js';
import { loggerOptions } from '../observability/logger.js';
import { genReqId } from './request-id.js';
import { withTimeout } from '../lib/timeout.js';
import { ProblemSchema, sendProblem } from './problem.js';

const Ok = Type.Object({ status: Type.Literal('ok') });
/**
 * Probes get their own per-IP budget: 10/s is far above any orchestrator's probe rate, and still bounds
 * how hard one anonymous client can make readiness hit PostgreSQL and Redis.
 */
const probeRateLimit = { rateLimit: { max: 600, timeWindow: 60_000 } } as const;

/** Liveness (the process answers) and readiness (PostgreSQL and Redis both answer within 1 s). */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    {
      config: probeRateLimit,
      schema: { tags: ['health'], summary: 'Liveness', security: [{}], response: { 200: Ok, 429: ProblemSchema } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      config: probeRateLimit,
      schema: {
        tags: ['health'],
        summary: 'Readiness: PostgreSQL and Redis reachable',
        security: [{}],
        response: { 200: Ok, 429: ProblemSchema, 503: ProblemSchema },
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

/**
 * Prometheus scrape endpoint, on its own server (METRICS_PORT) rather than the public API port: metrics
 * reveal traffic and internals, so only the scraper's network should reach them. Gauges that describe
 * the pool and the queues are read at scrape time.
 */
export function buildMetricsServer(app: FastifyInstance): FastifyInstance {
  // Same JSON logs and request ids as the API.
  const server = Fastify({ logger: loggerOptions(app.config.LOG_LEVEL), genReqId });
  server.get('/metrics', { schema: { response: { 200: Type.String() } } }, async (_request, reply) => {
    await app.refreshGauges();
    return reply.type(app.metrics.registry.contentType).send(await app.metrics.registry.metrics());
  });
  return server;
}
