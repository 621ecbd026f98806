// @ts-check
/**
 * The serverless runtime adapter: how verify's dynamic checks drive a generated Worker project —
 * `npm run build` (wrangler's own bundle, a dry-run deploy), its migration runner (node-pg-migrate from
 * scripts/migrate.ts), the Worker under `wrangler dev` through scripts/dev.mjs (it maps PORT and
 * DATABASE_URL onto wrangler's flags and the local Hyperdrive binding), users in auth_users with
 * scrypt hashes in the Worker's format, tokens from POST /auth/token, and the `{ items, next_cursor }` page.
 */
import { randomBytes, scrypt } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
 * The Worker under wrangler dev with every Analytics Engine binding replaced by a service binding to a
 * recorder Worker run beside it (scripts/dev.mjs: WRANGLER_CONFIG): wrangler's local Analytics Engine
 * simulator discards data points (miniflare 4.20260426's writeDataPoint has an empty body), so this is how
 * the points a request writes become observable. The Worker's code is unchanged: it calls
 * `env.<BINDING>.writeDataPoint(point)` as in production; the recorder's entrypoint of that name posts
 * each point to a collector in this process.
 * @param {import('../../generators/blueprints/contract.js').Runtime} rt
 */
async function recordMetrics(rt) {
  const dir = await mkdtemp(path.join(tmpdir(), 'cba-verify-metrics-'));
  /** @type {import('../../generators/blueprints/contract.js').RecordedPoint[]} */
  const points = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      try {
        points.push(JSON.parse(body));
      } catch {
        // not a data point
      }
      res.end();
    });
  });
  await new Promise((resolve) => collector.listen(0, '127.0.0.1', () => resolve(undefined)));
  const stopCollector = () => new Promise((resolve) => collector.close(() => resolve(undefined)));
  try {
    const ts = rt.require('typescript');
    const file = path.join(rt.project.dir, 'wrangler.jsonc');
    const { config, error } = ts.parseConfigFileTextToJson(file, await readFile(file, 'utf8'));
    if (error) throw new Error(`wrangler.jsonc does not parse: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
    /** @type {{ binding: string, dataset?: string }[]} */
    const datasets = config.analytics_engine_datasets ?? [];
    delete config.analytics_engine_datasets;
    delete config.$schema;
    config.main = path.resolve(rt.project.dir, config.main);
    const recorder = `${config.name}-metrics-recorder`;
    config.services = [...(config.services ?? []), ...datasets.map((d) => ({ binding: d.binding, service: recorder, entrypoint: `Record_${d.binding}` }))];
    const address = /** @type {import('node:net').AddressInfo} */ (collector.address());
    await writeFile(
      path.join(dir, 'recorder.js'),
      [
        "import { WorkerEntrypoint } from 'cloudflare:workers';",
        ...datasets.map(
          (d) =>
            `export class Record_${d.binding} extends WorkerEntrypoint { writeDataPoint(point) { this.ctx.waitUntil(fetch(this.env.COLLECTOR, { method: 'POST', body: JSON.stringify({ binding: ${JSON.stringify(d.binding)}, dataset: ${JSON.stringify(d.dataset ?? d.binding)}, point: point ?? {} }) })); } }`,
        ),
        "export default { fetch: () => new Response('metrics recorder') };",
      ].join('\n'),
    );
    await writeFile(path.join(dir, 'worker.json'), JSON.stringify(config, null, 2));
    await writeFile(path.join(dir, 'recorder.json'), JSON.stringify({ name: recorder, main: path.join(dir, 'recorder.js'), compatibility_date: config.compatibility_date, vars: { COLLECTOR: `http://127.0.0.1:${address.port}/` } }, null, 2));
    const api = await rt.start('api', { env: { WRANGLER_CONFIG: [path.join(dir, 'worker.json'), path.join(dir, 'recorder.json')].join(path.delimiter) } });
    return {
      api,
      points: () => [...points],
      how: `wrangler dev with ${datasets.map((d) => d.binding).join(', ')} (Analytics Engine) replaced by a service binding to a recorder Worker beside it (wrangler's local Analytics Engine simulator discards data points)`,
      stop: async () => {
        await api.stop();
        await stopCollector();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopCollector();
    await rm(dir, { recursive: true, force: true });
    throw err;
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
    runsOn: 'wrangler dev 4.86 (workerd with its local queue, cache and rate-limit simulators, behind its local proxy worker) on this machine, not the edge',
    // Measured on this machine, p95 of the cached read under the check's load ranged 87–204 ms between runs
    // (load average 20 on 2 shared cores): the simulator's latency is reported, not judged against the edge's target.
    judgesLatency: false,
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
    recordMetrics,
  };
}
