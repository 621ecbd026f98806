#!/usr/bin/env node
// The generated API against minimal hand-written Fastify 5 routes, side by side (issue 14, PRODUCT.md
// "Numbers we hold ourselves to"). It starts throwaway PostgreSQL and Redis (or uses DATABASE_URL and
// REDIS_URL), generates the built-in example backend (installed), builds it, and runs three scenarios:
//
//   cached read    GET /teams/:id, cache hit         vs  hand-written: Redis GET → send
//   uncached read  GET /teams/:id, cache miss (PK)   vs  hand-written: SELECT … WHERE id = $1 → send
//   create         POST /teams, validated body       vs  hand-written: schema-validated INSERT … RETURNING
//
// The generated API runs with every production feature on: JWT auth (a real bearer token), per-user
// rate limit in Redis (a limit high enough that no request gets a 429: the limiter still counts every
// one), Prometheus metrics, request ids, JSON logs at info (to a file), security headers, CORS.
// Each scenario: 1 warm-up round, then BENCH_ROUNDS counted rounds; in each round both servers are
// loaded one after the other, alternating which goes first; autocannon, 50 connections, 127.0.0.1.
// Prints per-round figures, medians, p50/p97.5/p99, the per-pair ratio (generated / hand-written) and
// the Redis commands per request each server made (counted by Redis).
// Only the ratios count on a shared machine: absolute figures drift with the neighbours' load.
//
//   node bench/runtime.js                 5 rounds × 5 s per server and scenario
//   node bench/runtime.js --quick         1 round × 1 s (CI: proves the bench works; never a timed test)
// Env: BENCH_ROUNDS, BENCH_SECONDS, BENCH_SCENARIOS=cached,uncached,create, BENCH_APP_DIR (reuse an
// already generated and installed project), BENCH_CPU_PROF=DIR (run the generated API under
// node --cpu-prof; profiles land in DIR when it exits).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const rounds = quick ? 1 : Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = quick ? 1 : Number(process.env.BENCH_SECONDS ?? 5);
const scenarios = (process.env.BENCH_SCENARIOS ?? 'cached,uncached,create').split(',');
const CONNECTIONS = 50;
// Enough that an uncached round never reads an id twice (a repeat would be a cache hit; the Redis
// commands per request show it: one SET per uncached read).
const SEED_ROWS = quick ? 40_000 : 150_000;
const PREFIX = 'bench';

const work = mkdtempSync(path.join(tmpdir(), 'cba-bench-runtime-'));
const children = [];
let servers = { stop: async () => {} };
let baselineFile = null; // written into the project (to resolve its fastify, ioredis, pg); removed at the end
const cleanup = async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await servers.stop();
  if (baselineFile) rmSync(baselineFile, { force: true });
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function main() {
  // ---- servers
  let databaseUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!(databaseUrl && redisUrl)) {
    const { startThrowawayServers } = await import(path.join(root, 'dist/servers/throwaway.js'));
    servers = await startThrowawayServers();
    ({ databaseUrl, redisUrl } = servers);
  }
  const redisDb = (n) => `${redisUrl.replace(/\/\d*$/, '')}/${n}`;

  // ---- the generated project, installed and built
  let appDir = process.env.BENCH_APP_DIR ? path.resolve(process.env.BENCH_APP_DIR) : null;
  if (!appDir) {
    appDir = path.join(work, 'bench-app');
    step('generating and installing the example backend');
    execFileSync(process.execPath, [path.join(root, 'bin/create-backend-arch.js'), appDir, '--yes', '--no-verify'], {
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  step('building it');
  execFileSync('npm', ['run', 'build'], { cwd: appDir, stdio: ['ignore', 'ignore', 'inherit'] });
  const appRequire = createRequire(path.join(appDir, 'package.json'));
  const autocannon = appRequire('autocannon');
  const pg = appRequire('pg');
  const { Redis } = appRequire('ioredis');

  const env = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisDb(0),
    REDIS_KEY_PREFIX: PREFIX,
    JWT_SECRET: 'bench-secret-that-is-at-least-32-characters-long',
    LOG_LEVEL: 'info',
    RATE_LIMIT_USER_MAX: '1000000000',
  };
  step('migrating');
  execFileSync('npm', ['run', 'migrate'], { cwd: appDir, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const email = `bench-${Date.now()}@example.com`;
  const password = 'bench-password-1234567';
  execFileSync('npm', ['run', 'user:create', '--', '--email', email, '--password', password, '--role', 'admin'], {
    cwd: appDir,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  // ---- rows to read
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const { rows } = await pool.query(
    `INSERT INTO team (name) SELECT 'bench-seed-' || g || '-' || $1::text FROM generate_series(1, $2::int) g RETURNING id`,
    [Date.now(), SEED_ROWS],
  );
  const ids = rows.map((r) => r.id);
  await pool.query('VACUUM ANALYZE team');
  await pool.end();

  // ---- the two servers
  const generatedPort = await freePort();
  const baselinePort = await freePort();
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];
  // /metrics listens on a port of its own (METRICS_PORT): a free one, so the bench never collides with another API.
  const generated = startServer('generated', [...prof, 'dist/server.js'], appDir, { ...env, PORT: String(generatedPort), METRICS_PORT: String(await freePort()) });
  baselineFile = path.join(appDir, 'bench-baseline.mjs');
  writeFileSync(baselineFile, BASELINE);
  const baseline = startServer('hand-written', ['bench-baseline.mjs'], appDir, {
    ...env,
    PORT: String(baselinePort),
    REDIS_URL: redisDb(1),
  });
  await waitReady(`http://127.0.0.1:${generatedPort}/health/ready`);
  await waitReady(`http://127.0.0.1:${baselinePort}/ready`);
  const gen = `http://127.0.0.1:${generatedPort}`;
  const base = `http://127.0.0.1:${baselinePort}`;

  const tokenRes = await fetch(`${gen}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!tokenRes.ok) throw new Error(`no token: ${tokenRes.status} ${await tokenRes.text()}`);
  const auth = { authorization: `Bearer ${(await tokenRes.json()).access_token}` };

  // The cached row: the generated API fills its cache with the first read; the baseline's Redis gets
  // the very bytes the generated API serves, so both send the same body.
  const hot = ids[0];
  const hotRes = await fetch(`${gen}/teams/${hot}`, { headers: auth });
  if (hotRes.status !== 200) throw new Error(`GET /teams/${hot}: ${hotRes.status}`);
  const hotBody = await hotRes.text();
  const genRedis = new Redis(redisDb(0));
  const baseRedis = new Redis(redisDb(1));
  await baseRedis.set(`baseline:team:${hot}`, hotBody);

  // Each uncached round reads ids in order from the start of a fresh cache: no id twice in a round.
  const rotating = () => {
    let i = 0;
    return (req) => ({ ...req, path: `${req.path}${ids[i++ % ids.length]}` });
  };
  const creating = (tag) => {
    let i = 0;
    return (req) => ({ ...req, body: JSON.stringify({ name: `bench-${tag}-${Date.now()}-${i++}`, plan: 'pro' }) });
  };
  const dropCache = async () => {
    let cursor = '0';
    do {
      const [next, keys] = await genRedis.scan(cursor, 'MATCH', `${PREFIX}:cache:*`, 'COUNT', 1000);
      if (keys.length) await genRedis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await genRedis.set(`${PREFIX}:cache:team:${hot}`, hotBody, 'EX', 3600); // keep the cached-read row warm
  };

  const SCENARIOS = {
    cached: {
      title: 'cached read by id (GET /teams/:id, cache hit)',
      generated: () => ({ url: `${gen}/teams/${hot}`, headers: auth }),
      baseline: () => ({ url: `${base}/teams/${hot}` }),
    },
    uncached: {
      title: 'uncached read by id (GET /teams/:id, cache miss → PostgreSQL by primary key)',
      before: dropCache,
      generated: () => ({ url: gen, headers: auth, requests: [{ method: 'GET', path: '/teams/', setupRequest: rotating() }] }),
      baseline: () => ({ url: base, requests: [{ method: 'GET', path: '/db/teams/', setupRequest: rotating() }] }),
    },
    create: {
      title: 'validated create (POST /teams → 201)',
      generated: () => ({
        url: gen,
        headers: { ...auth, 'content-type': 'application/json' },
        requests: [{ method: 'POST', path: '/teams', setupRequest: creating('g') }],
      }),
      baseline: () => ({
        url: base,
        headers: { 'content-type': 'application/json' },
        requests: [{ method: 'POST', path: '/teams', setupRequest: creating('b') }],
      }),
    },
  };

  // Redis commands by name, counted by the server (INFO commandstats; a script's own commands included).
  // One server serves both APIs (two databases) and only one is loaded at a time, so the difference
  // over a round is that API's (the bench's INFO calls themselves left out).
  const redisCalls = async () => {
    const calls = new Map();
    for (const [, name, n] of (await genRedis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
      if (name !== 'info') calls.set(name, Number(n));
    return calls;
  };
  const redisPerRequest = (before, after, requests) =>
    [...after]
      .map(([name, n]) => [name, (n - (before.get(name) ?? 0)) / requests])
      .filter(([, perRequest]) => perRequest >= 0.001)
      .map(([name, perRequest]) => `${name} ${perRequest.toFixed(3)}`)
      .join(', ') || 'none';

  const pids = { generated: generated.pid, baseline: baseline.pid };
  const load = async (scenario, which, duration) => {
    if (scenario.before) await scenario.before();
    const redis0 = await redisCalls();
    const cpu0 = cpuMs(pids[which]);
    const r = await autocannon({ connections: CONNECTIONS, duration, ...scenario[which]() });
    const cpu = cpuMs(pids[which]) - cpu0;
    const bad = r.non2xx + r.errors + r.timeouts;
    if (bad > 0) throw new Error(`${which}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
    return {
      redis: redisPerRequest(redis0, await redisCalls(), r.requests.total),
      rps: r.requests.total / duration,
      cpuUs: (cpu * 1000) / r.requests.total,
      p50: r.latency.p50,
      p975: r.latency.p97_5,
      p99: r.latency.p99,
    };
  };

  console.log(
    `\nmachine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  );
  console.log(`autocannon: ${CONNECTIONS} connections, ${seconds} s per server and round, ${rounds} counted rounds after 1 warm-up\n`);
  const summary = [];
  for (const name of scenarios) {
    const scenario = SCENARIOS[name];
    if (!scenario) throw new Error(`unknown scenario ${name} (cached, uncached, create)`);
    console.log(scenario.title);
    await load(scenario, 'generated', Math.min(seconds, 2));
    await load(scenario, 'baseline', Math.min(seconds, 2));
    const pairs = [];
    for (let round = 1; round <= rounds; round++) {
      const order = round % 2 ? ['generated', 'baseline'] : ['baseline', 'generated'];
      const pair = {};
      for (const which of order) pair[which] = await load(scenario, which, seconds);
      pair.ratio = pair.generated.rps / pair.baseline.rps;
      pair.cpuRatio = pair.baseline.cpuUs / pair.generated.cpuUs;
      pairs.push(pair);
      console.log(
        `  round ${round}: generated ${fmtRun(pair.generated)} | hand-written ${fmtRun(pair.baseline)} | ratio ${pair.ratio.toFixed(2)}× (CPU ${pair.cpuRatio.toFixed(2)}×)`,
      );
    }
    const med = (which, key) => median(pairs.map((p) => p[which][key]));
    const ratios = pairs.map((p) => p.ratio);
    const cpuRatios = pairs.map((p) => p.cpuRatio);
    const figures = (which) => Object.fromEntries(['rps', 'cpuUs', 'p50', 'p975', 'p99'].map((k) => [k, med(which, k)]));
    const line = {
      scenario: name,
      generated: figures('generated'),
      baseline: figures('baseline'),
      ratio: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      cpuRatio: median(cpuRatios),
      cpuRatioMin: Math.min(...cpuRatios),
      cpuRatioMax: Math.max(...cpuRatios),
    };
    summary.push(line);
    console.log(`  median: generated ${fmtRun(line.generated)} | hand-written ${fmtRun(line.baseline)}`);
    console.log(`  ratio (median of pairs): ${line.ratio.toFixed(2)}× req/s (spread ${line.ratioMin.toFixed(2)}–${line.ratioMax.toFixed(2)})`);
    console.log(`  Redis commands per request, last round: generated ${pairs.at(-1).generated.redis}; hand-written ${pairs.at(-1).baseline.redis}`);
    console.log(
      `  server CPU per request: generated ${line.generated.cpuUs.toFixed(0)} µs, hand-written ${line.baseline.cpuUs.toFixed(0)} µs → ${line.cpuRatio.toFixed(2)}× (spread ${line.cpuRatioMin.toFixed(2)}–${line.cpuRatioMax.toFixed(2)})\n`,
    );
  }
  const cached = summary.find((s) => s.scenario === 'cached');
  if (cached) {
    const ok = cached.ratio >= 0.5 && cached.generated.p99 <= 5;
    console.log(
      `target (cached read ≥ 0.50× the hand-written route, p99 ≤ 5 ms): ${ok ? 'met' : 'NOT met'} (${cached.ratio.toFixed(2)}×, p99 ${cached.generated.p99} ms)`,
    );
  }
  console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(summary, null, 2));
  genRedis.disconnect();
  baseRedis.disconnect();
  void generated;
  void baseline;
}

function startServer(label, args, cwd, env) {
  const logFile = path.join(work, `${label}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.once('exit', (code, signal) => {
    if (code && code !== 0) console.error(`${label} server exited with ${code ?? signal}; log: ${logFile}`);
  });
  children.push(child);
  return child;
}

async function waitReady(url) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`not ready: ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freePort() {
  const { freePort: free } = await import(path.join(root, 'dist/servers/throwaway.js'));
  return free();
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function fmtRun(r) {
  return `${Math.round(r.rps)} req/s, ${r.cpuUs.toFixed(0)} µs CPU/req, p50/p97.5/p99 ${r.p50}/${r.p975}/${r.p99} ms`;
}

// CPU time (user + system) a process has used, in ms, from /proc (Linux); NaN elsewhere. Per request,
// it is the figure least disturbed by other work on a shared machine: waiting for a core costs no CPU.
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

function step(what) {
  console.error(`bench: ${what}…`);
}

// ---------------------------------------------------------------------------------------------------
// THE HAND-WRITTEN BASELINE: the minimal Fastify 5 + ioredis + pg server the generated API is compared
// with. No auth, no rate limit, no metrics, no logs, no headers: only the work itself.
const BASELINE = `// Hand-written baseline written by create-backend-arch's bench/runtime.js (safe to delete).
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const redis = new Redis(process.env.REDIS_URL);
const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify();
app.get('/ready', async () => ({ ok: true }));
// cached read: Redis GET → send
app.get('/teams/:id', async (request, reply) => {
  const hit = await redis.get('baseline:team:' + request.params.id);
  if (!hit) return reply.code(404).send({ error: 'not found' });
  return reply.type('application/json').send(hit);
});
// uncached read: PostgreSQL by primary key → send
app.get('/db/teams/:id', async (request, reply) => {
  const { rows } = await db.query('SELECT * FROM team WHERE id = $1', [request.params.id]);
  return rows[0] ?? reply.code(404).send({ error: 'not found' });
});
// validated create: JSON-schema body → INSERT … RETURNING → 201
const body = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 120 }, plan: { enum: ['free', 'pro', 'enterprise'] } },
};
app.post('/teams', { schema: { body } }, async (request, reply) => {
  const { name, plan = 'free' } = request.body;
  const { rows } = await db.query('INSERT INTO team (name, plan) VALUES ($1, $2) RETURNING *', [name, plan]);
  return reply.code(201).send(rows[0]);
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.once('SIGTERM', () => app.close().then(() => Promise.all([redis.quit(), db.end()])).then(() => process.exit(0)));
`;

try {
  await main();
} finally {
  await cleanup();
}
