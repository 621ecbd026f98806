#!/usr/bin/env node
// A bounded load through the microservices gateway, side by side with the same requests sent straight
// to the service (issue 9: the gateway's cost per request). It starts throwaway PostgreSQL, Redis and
// nats-server -js (or uses DATABASE_URL, REDIS_URL, NATS_URL), generates the built-in example with
// --blueprint microservices (installed), builds it, gives every service its own database and role,
// starts every service's API and the gateway, and loads `GET /teams/:id` (a cached read by id, a real
// bearer token, rate limits counting) with autocannon, 50 connections on 127.0.0.1, alternating which
// target goes first in each round. Prints req/s and p99 per round, medians, and gateway / direct.
// Only ratios count on a shared machine.
//
//   node bench/microservices.js            5 rounds × 5 s per target
//   node bench/microservices.js --quick    1 round × 1 s (CI: proves the bench works; never a timed test)
// Env: BENCH_ROUNDS, BENCH_SECONDS, BENCH_APP_DIR (an already generated, installed microservices project).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = quick ? 1 : Number(process.env.BENCH_SECONDS ?? 5);
const work = mkdtempSync(path.join(tmpdir(), 'cba-bench-micro-'));
const children = [];
const cleanups = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { startThrowawayServers, startNats, freePort } = await import(path.join(root, 'dist/servers/throwaway.js'));

async function main() {
  let { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NATS_URL: natsUrl } = process.env;
  if (!databaseUrl || !redisUrl) {
    const servers = await startThrowawayServers();
    cleanups.push(() => servers.stop());
    ({ databaseUrl, redisUrl } = servers);
  }
  if (!natsUrl) {
    const nats = await startNats();
    cleanups.push(() => nats.stop());
    natsUrl = nats.url;
  }
  let dir = process.env.BENCH_APP_DIR;
  if (!dir) {
    dir = path.join(work, 'shop');
    console.log('generating and installing the microservices example …');
    execFileSync('node', [path.join(root, 'bin/create-backend-arch.js'), dir, '--blueprint', 'microservices', '--yes', '--no-verify', '--no-git'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  }
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: dir, stdio: 'inherit' });
  const require = createRequire(path.join(dir, 'package.json'));
  const pg = require('pg');
  const argon2 = require('@node-rs/argon2');
  const autocannon = require('autocannon');
  const { UPSTREAM_URL_VARS } = await import(path.join(dir, 'dist/gateway/routes.js'));
  const services = Object.keys(UPSTREAM_URL_VARS);
  const secret = 'bench-secret-that-is-at-least-32-characters-long';
  const common = { NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'warn', REDIS_URL: redisUrl, NATS_URL: natsUrl, JWT_SECRET: secret, REDIS_KEY_PREFIX: `bench-${process.pid}`, RATE_LIMIT_USER_MAX: '100000000', RATE_LIMIT_ANONYMOUS_MAX: '100000000' };

  const admin = async (sql) => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const urls = {};
  const ports = {};
  for (const service of services) {
    const name = `bench_${process.pid}_${service.replace(/-/g, '_')}`;
    await admin(`CREATE ROLE ${name} LOGIN PASSWORD '${name}'`);
    await admin(`CREATE DATABASE ${name} OWNER ${name}`);
    cleanups.push(async () => {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin(`DROP ROLE IF EXISTS ${name}`);
    });
    const u = new URL(databaseUrl);
    u.pathname = `/${name}`;
    u.username = name;
    u.password = name;
    urls[service] = u.toString();
    execFileSync('node', ['dist/db/migrate.js'], { cwd: dir, env: { ...process.env, ...common, SERVICE: service, DATABASE_URL: urls[service] }, stdio: 'ignore' });
    ports[service] = await freePort();
    start(dir, 'dist/server.js', { ...common, SERVICE: service, DATABASE_URL: urls[service], PORT: String(ports[service]), METRICS_PORT: String(await freePort()) });
  }
  const gatewayPort = await freePort();
  start(dir, 'dist/gateway/server.js', { ...common, PORT: String(gatewayPort), ...Object.fromEntries(services.map((s) => [UPSTREAM_URL_VARS[s], `http://127.0.0.1:${ports[s]}`])) });
  for (const port of [...Object.values(ports), gatewayPort]) await ready(`http://127.0.0.1:${port}/health/ready`);

  // An admin account in the identity service (the first), a token through the gateway, one row to read.
  const identity = new pg.Client({ connectionString: urls[services[0]] });
  await identity.connect();
  await identity.query('INSERT INTO auth_users (email, password_hash, role) VALUES ($1, $2, $3)', ['bench@example.com', await argon2.hash('bench-password-1'), 'admin']);
  await identity.end();
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  const token = (await (await fetch(`${gateway}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password-1' }) })).json()).access_token;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await fetch(`${gateway}/teams`, { method: 'POST', headers: { ...headers, 'idempotency-key': 'bench-1' }, body: JSON.stringify({ name: `bench team ${process.pid}` }) });
  if (created.status !== 201) throw new Error(`POST /teams through the gateway answered ${created.status}: ${await created.text()}`);
  const { id } = await created.json();
  const teamService = services.find((s) => s === 'team') ?? services[0];
  const targets = { gateway: `${gateway}/teams/${id}`, direct: `http://127.0.0.1:${ports[teamService]}/teams/${id}` };

  const results = { gateway: [], direct: [] };
  for (let round = 0; round <= rounds; round++) {
    const order = round % 2 === 0 ? ['gateway', 'direct'] : ['direct', 'gateway'];
    for (const target of order) {
      const r = await autocannon({ url: targets[target], connections: 50, duration: seconds, headers: { authorization: headers.authorization } });
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${target}: ${r.non2xx} non-2xx, ${r.errors} errors`);
      if (round === 0) continue; // warm-up
      results[target].push({ rps: r.requests.average, p99: r.latency.p99 });
      console.log(`round ${round} ${target.padEnd(7)} ${r.requests.average.toFixed(0).padStart(7)} req/s  p99 ${r.latency.p99} ms`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const g = median(results.gateway.map((x) => x.rps));
  const d = median(results.direct.map((x) => x.rps));
  console.log(`median: gateway ${g.toFixed(0)} req/s (p99 ${median(results.gateway.map((x) => x.p99))} ms), direct ${d.toFixed(0)} req/s (p99 ${median(results.direct.map((x) => x.p99))} ms); gateway / direct = ${(g / d).toFixed(2)}`);
}

function start(cwd, entry, env) {
  const child = spawn('node', [entry], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

async function ready(url) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${url} not ready within 30 s`);
}

let code = 0;
try {
  await main();
} catch (err) {
  console.error(err);
  code = 1;
} finally {
  for (const c of children) c.kill('SIGTERM');
  await sleep(500);
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
