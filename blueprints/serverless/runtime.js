// @ts-check
/**
 * The serverless runtime adapter: how verify's dynamic checks drive a generated Worker project —
 * `npm run build` (wrangler's own bundle, a dry-run deploy), its migration runner (node-pg-migrate from
 * scripts/migrate.ts), the Worker under `wrangler dev` through scripts/dev.mjs (it maps PORT and
 * DATABASE_URL onto wrangler's flags and the local Hyperdrive binding), users in auth_users with
 * scrypt hashes in the Worker's format, tokens from POST /auth/token, and the `{ items, next_cursor }` page.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { mintTokens, readItemsPage } from '../_shared/runtime-kit.js';

const scryptAsync = /** @type {(password: string, salt: Buffer, keylen: number, options: import('node:crypto').ScryptOptions) => Promise<Buffer>} */ (promisify(scrypt));

/**
 * The Worker's password format (src/auth/passwords.ts): scrypt$N$r$p$salt$hash, base64url parts.
 * @param {string} password
 */
export async function hashPassword(password) {
  const [N, r, p] = [2 ** 15, 8, 3];
  const salt = randomBytes(16);
  const hash = await scryptAsync(password.normalize('NFKC'), salt, 32, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/**
 * wrangler's local proxy retries GETs across its start-up reload but answers a POST sent during it with
 * 503 ("Your worker restarted mid-request"); the API is ready for the checks' POSTs once a POST gets the
 * router's own answer (405 on the readiness path).
 * @param {string} apiUrl
 */
async function postsReachWorker(apiUrl) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await fetch(`${apiUrl}/health/ready`, { method: 'POST' }).catch(() => undefined);
    if (r?.status === 405) return;
    if (Date.now() > deadline) throw new Error(`POST ${apiUrl}/health/ready never reached the Worker (last: ${r?.status ?? 'no answer'})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * @param {import('../../generators/blueprints/contract.js').Runtime} _rt
 * @returns {import('../../generators/blueprints/contract.js').RuntimeAdapter}
 */
export function serverlessRuntime(_rt) {
  const jwtSecret = randomBytes(32).toString('hex');
  return {
    async build(rt) {
      const r = await rt.exec('npm', ['run', 'build', '--silent']);
      if (r.exitCode !== 0) throw new Error(`npm run build failed:\n${rt.tail(r.output, 15)}`);
    },
    async migrate(rt, databaseUrl) {
      const r = await rt.exec('npm', ['run', 'migrate', '--silent'], { env: { DATABASE_URL: databaseUrl } });
      if (r.exitCode !== 0) throw new Error(`migrations failed on a fresh database:\n${rt.tail(r.output, 15)}`);
    },
    env() {
      return {
        JWT_SECRET: jwtSecret,
        CORS_ORIGINS: 'http://localhost:5173',
        // The checks make many requests as one user; the per-IP (anonymous) limit stays as configured.
        RATE_LIMIT_USER_MAX: '1000000',
      };
    },
    processes: {
      api: { args: ['scripts/dev.mjs'], portEnv: 'PORT', ready: '/health/live' },
    },
    // The Worker's queue handler consumes the jobs: the same wrangler dev process as the fetch handler.
    jobProcess: 'api',
    // Readiness checks PostgreSQL only (through Hyperdrive). dynamic.readiness cuts it as a partition: wrangler
    // dev 4.86's local Hyperdrive proxy has no error handler on its upstream socket, so a refused or reset
    // connection ends wrangler; an accepted, unanswered one is the Worker's own timeout to handle.
    readinessDependency: 'postgresql',
    async tokens(rt, apiUrl, databaseUrl) {
      await postsReachWorker(apiUrl);
      return mintTokens(rt, apiUrl, databaseUrl, {
        hash: hashPassword,
        // wrangler's local proxy occasionally drops a slow POST (a login hashes with scrypt) with 503
        // "Your worker restarted mid-request"; a login is idempotent, so it is sent once more.
        post: async (send) => {
          const r = await send();
          return r.status === 503 && (await r.clone().text()).includes('restarted mid-request') ? send() : r;
        },
      });
    },
    readPage: readItemsPage,
  };
}
