// @ts-check
/**
 * The monolith's runtime adapter: what verify's dynamic checks need to know to drive a generated
 * monolith — `npm run build` to dist/, its own migration runner, the API (dist/server.js) and the worker
 * (dist/worker.js) and when each is ready, users in auth_users and tokens from POST /auth/token, and the
 * `{ items, next_cursor }` page shape. State (this run's secret, prefixes) lives in the Runtime instance.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mintTokens, readItemsPage } from '../_shared/runtime-kit.js';

/**
 * @param {import('../../generators/blueprints/contract.js').Runtime} rt
 * @returns {import('../../generators/blueprints/contract.js').RuntimeAdapter}
 */
export function monolithRuntime(rt) {
  const jwtSecret = randomBytes(32).toString('hex');
  return {
    async build(rt) {
      const r = await rt.exec('npm', ['run', 'build', '--silent']);
      if (r.exitCode !== 0) throw new Error(`npm run build failed:\n${rt.tail(r.output, 15)}`);
    },
    async migrate(rt, databaseUrl) {
      const r = await rt.exec('node', ['dist/db/migrate.js'], { env: { DATABASE_URL: databaseUrl } });
      if (r.exitCode !== 0) throw new Error(`migrations failed on a fresh database:\n${rt.tail(r.output, 15)}`);
    },
    env(rt) {
      return {
        JWT_SECRET: jwtSecret,
        REDIS_KEY_PREFIX: `verify-${rt.runId}`,
        CORS_ORIGINS: 'http://localhost:5173',
        // The load check makes thousands of requests as one user; the per-IP (anonymous) limit is untouched.
        RATE_LIMIT_USER_MAX: '1000000',
      };
    },
    processes: {
      api: { args: ['dist/server.js'], portEnv: 'PORT', ready: '/health/live', metricsPortEnv: 'METRICS_PORT' },
      worker: { args: ['dist/worker.js'], portEnv: 'WORKER_METRICS_PORT', ready: '/health/live' },
    },
    tokens(rt, apiUrl, databaseUrl) {
      /** @type {{ hash(p: string): Promise<string> }} */
      const argon2 = rt.require('@node-rs/argon2');
      const tenancy = rt.project.plan.tenancy;
      // With multi-tenancy every account belongs to a tenant: verify's users share one of their own.
      return mintTokens(rt, apiUrl, databaseUrl, { hash: (p) => argon2.hash(p), tenant: tenancy ? { column: tenancy.column, id: randomUUID() } : null });
    },
    readPage: readItemsPage,
  };
}
