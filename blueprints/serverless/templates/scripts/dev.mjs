// @ts-check
/**
 * `npm run dev` (and what the tests and `backend-arch verify` start): the Worker under `wrangler dev`
 * — workerd, the real runtime, with its queues, rate-limit bindings and Cache API simulated locally —
 * on 127.0.0.1:$PORT, with the local Hyperdrive binding pointed at $DATABASE_URL.
 *
 *   PORT                       the port (default 8787)
 *   DATABASE_URL               PostgreSQL for the HYPERDRIVE binding (a password is added when the URL
 *                              has none: wrangler's local proxy requires one; trust auth ignores it)
 *   the Worker's variables     (JWT_SECRET, CORS_ORIGINS, …) from the environment
 *
 * Like every script of the project it reads .env first (variables already in the environment win).
 *   RATE_LIMIT_*_MAX           replace a rate-limit binding's limit for this run (a copy of the config)
 *   WRANGLER_CONFIG            the configuration(s) to run instead of wrangler.jsonc, separated by the path
 *                              delimiter: this Worker's first, then Workers to run beside it (their service
 *                              bindings resolve locally) — `backend-arch verify` runs the Worker so, its
 *                              Analytics Engine binding replaced by a recorder, to see the data points
 *
 * Each run keeps its local state (queues, cache) in a fresh temporary folder, removed on exit, so two
 * runs never share a queue. SIGINT/SIGTERM stop wrangler and workerd with it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));
const WORKER_VARS = JSON.parse(readFileSync(new URL('./worker-vars.json', import.meta.url), 'utf8'));

/** @returns {Promise<number>} a free loopback port (for the inspector, which must not collide either) */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** @param {string} file */
function readJsonc(file) {
  const { config, error } = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf8'));
  if (error) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  return config;
}

const state = mkdtempSync(path.join(tmpdir(), 'wrangler-dev-'));
const cleanup = () => rmSync(state, { recursive: true, force: true });

const configs = (process.env.WRANGLER_CONFIG || path.join(root, 'wrangler.jsonc'))
  .split(path.delimiter)
  .map((file) => path.resolve(root, file));
const primaryConfig = /** @type {string} */ (configs[0]);
const besideConfigs = configs.slice(1);
let configFile = primaryConfig;
const limits = { RATE_LIMIT_ANONYMOUS_MAX: 'RATE_LIMIT_ANONYMOUS', RATE_LIMIT_USER_MAX: 'RATE_LIMIT_USER' };
if (Object.keys(limits).some((k) => process.env[k])) {
  const config = readJsonc(configFile);
  for (const [variable, binding] of Object.entries(limits)) {
    const value = process.env[variable];
    const limit = (config.ratelimits ?? []).find((/** @type {{ name: string }} */ r) => r.name === binding);
    if (value && limit) limit.simple.limit = Number(value);
  }
  config.main = path.resolve(path.dirname(primaryConfig), config.main);
  delete config.$schema;
  configFile = path.join(state, 'wrangler.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
}

// The Worker's variables, handed to wrangler in an env file (not flags: secrets stay out of the process list);
// a replaced limit too, so the Worker's X-RateLimit-Limit header states the limit in force.
const vars = [...WORKER_VARS, ...Object.keys(limits)].filter(
  (/** @type {string} */ name) => process.env[name] !== undefined,
);
const envFile = path.join(state, 'worker.env');
writeFileSync(
  envFile,
  vars.map((/** @type {string} */ name) => `${name}=${JSON.stringify(process.env[name])}`).join('\n') + '\n',
  { mode: 0o600 },
);

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' };
if (process.env.DATABASE_URL) {
  const url = new URL(process.env.DATABASE_URL);
  if (!url.password) url.password = 'local';
  env.CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE = url.toString();
}

/** wrangler from the nearest node_modules above this Worker (its own project's, or the one it is nested in). */
function findWrangler(dir = root) {
  const file = path.join(dir, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
  if (existsSync(file)) return file;
  if (path.dirname(dir) === dir) throw new Error('wrangler is not installed: run npm install');
  return findWrangler(path.dirname(dir));
}
const wrangler = findWrangler();
const args = [
  wrangler,
  'dev',
  '--config',
  configFile,
  ...besideConfigs.flatMap((file) => ['--config', file]),
  '--ip',
  '127.0.0.1',
  '--port',
  process.env.PORT ?? '8787',
  '--inspector-port',
  String(await freePort()),
  '--persist-to',
  path.join(state, 'state'),
  '--env-file',
  envFile,
  '--show-interactive-dev-session=false',
  '--log-level',
  process.env.WRANGLER_LOG_LEVEL ?? 'warn',
];
const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 0 : 1));
});
