/**
 * Liveness (the Worker answers) and readiness (PostgreSQL answers through Hyperdrive; 503 otherwise).
 * Neither needs a token nor counts against the rate limits.
 */
import { sql } from '../db/sql.js';
import type { HttpRoute } from './router.js';
import { json } from './validate.js';

export const healthRoutes: HttpRoute[] = [
  { method: 'GET', path: '/health/live', roles: null, handler: async () => json(200, { status: 'ok' }) },
  {
    method: 'GET',
    path: '/health/ready',
    roles: null,
    async handler(ctx) {
      try {
        const db = await ctx.db();
        await db.query(sql`SELECT 1`);
        return json(200, { status: 'ok', checks: { postgres: 'ok' } });
      } catch (err) {
        ctx.log.warn('not ready: PostgreSQL unreachable', { err });
        return json(503, { status: 'unavailable', checks: { postgres: 'down' } }, { 'retry-after': '5' });
      }
    },
  },
];
