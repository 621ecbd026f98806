#!/usr/bin/env node
// A bounded local load on the serverless blueprint's cached read (issue 10): the built-in example
// generated with --blueprint serverless (installed), migrated into a throwaway PostgreSQL (or
// DATABASE_URL's server), the Worker started under `wrangler dev` (workerd) through its own launcher,
// a real user and bearer token, one team created, then GET /teams/:id — a Cache API hit after the
// first read, with JWT verification, the per-user rate-limit binding, Analytics Engine data points and
// a JSON log line per request — from BENCH_CONNECTIONS closed-loop clients for BENCH_SECONDS.
// Prints requests/s, p50, p97.5 and p99. Figures are printed, never asserted: workerd under wrangler
// dev is the local simulator, so they say how the code behaves, not what Cloudflare's edge will do.
//
//   node bench/serverless.js            3 rounds × 5 s, 20 connections
//   node bench/serverless.js --quick    1 round × 1 s (CI: proves the bench works)
// Env: BENCH_ROUNDS, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_APP_DIR (reuse a generated, installed project).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const rounds = quick ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = quick ? 1 : Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);

const work = mkdtempSync(path.join(tmpdir(), 'cba-bench-sls-'));
let servers = { stop: async () => {} };
let worker;
let dropDatabase = async () => {};

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function cleanup() {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  }
  await dropDatabase().catch(() => undefined);
  await servers.stop();
  rmSync(work, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function load(url, headers) {
  const latencies = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const r = await fetch(url, { headers }).catch(() => null);
        if (r) await r.arrayBuffer();
        if (!r || r.status !== 200) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, rps: latencies.length / seconds, p50: percentile(latencies, 50), p975: percentile(latencies, 97.5), p99: percentile(latencies, 99), errors };
}

async function main() {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const { startThrowawayServers } = await import(path.join(root, 'dist/servers/throwaway.js'));
    servers = await startThrowawayServers();
    databaseUrl = servers.databaseUrl;
  }
  let app = process.env.BENCH_APP_DIR;
  if (!app) {
    app = path.join(work, 'fn-api');
    console.log('generating and installing the serverless example …');
    execFileSync(process.execPath, [path.join(root, 'bin/create-backend-arch.js'), app, '--blueprint', 'serverless', '--yes', '--no-verify', '--no-git'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  }
  const pg = createRequire(path.join(app, 'package.json'))('pg');
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql) => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  dropDatabase = () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  execFileSync('npm', ['run', 'migrate', '--silent'], { cwd: app, env: { ...process.env, DATABASE_URL: url.toString() }, stdio: 'ignore' });

  const port = await freePort();
  const jwtSecret = randomBytes(32).toString('hex');
  worker = spawn(process.execPath, ['scripts/dev.mjs'], {
    cwd: app,
    env: { ...process.env, PORT: String(port), DATABASE_URL: url.toString(), JWT_SECRET: jwtSecret, LOG_LEVEL: 'warn', RATE_LIMIT_USER_MAX: '100000000' },
    stdio: 'ignore',
  });
  const api = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${api}/health/ready`).then((r) => r.ok, () => false);
    const post = ok ? await fetch(`${api}/health/ready`, { method: 'POST' }).then((r) => r.status, () => 0) : 0;
    if (post === 405) break;
    if (Date.now() > deadline) throw new Error('the Worker did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }

  const { hashPassword } = await import(path.join(root, 'blueprints/serverless/runtime.js'));
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('hex');
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  await db.query('INSERT INTO auth_users (email, password_hash, role) VALUES ($1, $2, $3)', [email, await hashPassword(password), 'admin']);
  await db.end();
  const login = await fetch(`${api}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const { access_token: token } = await login.json();
  const headers = { authorization: `Bearer ${token}` };
  const team = await fetch(`${api}/teams`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ name: `bench ${randomBytes(4).toString('hex')}` }) }).then((r) => r.json());
  const target = `${api}/teams/${team.id}`;
  await fetch(target, { headers }); // the first read fills the cache

  console.log(`cached read GET /teams/:id on wrangler dev (workerd), ${connections} connections, ${seconds} s × ${rounds} round(s)`);
  const results = [];
  for (let i = 0; i < rounds; i++) {
    const r = await load(target, headers);
    results.push(r);
    console.log(`  round ${i + 1}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p97.5 ${r.p975.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, ${r.errors} non-200`);
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`median: ${median(results.map((r) => r.rps)).toFixed(0)} req/s, p99 ${median(results.map((r) => r.p99)).toFixed(1)} ms`);
}

main()
  .then(cleanup)
  .catch(async (err) => {
    console.error(err);
    await cleanup();
    process.exit(1);
  });
