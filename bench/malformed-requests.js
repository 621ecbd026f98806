#!/usr/bin/env node
// Sends malformed and hostile requests to a generated API running for real and counts the answers:
// the run fails on any 5xx, any error answer that is not application/problem+json (where an answer has a
// body), or a connection the server holds open past its request timeout.
//   - broken HTTP on raw sockets: garbage, bad request lines and versions, bad header names and values,
//     NUL/CR/LF in headers, conflicting Content-Length / Transfer-Encoding, bad chunk sizes, a body
//     shorter than announced, oversized headers, unsupported Expect;
//   - well-formed HTTP with bad content on every route of the OpenAPI document: invalid and hostile JSON
//     (NUL, lone surrogates, __proto__, huge numbers, 10,000-deep nesting, wrong types), wrong
//     content types, bad query values and cursors, non-uuid and NUL path parameters, forged tokens.
// Usage (servers from test/support/with-servers.js, a generated project with node_modules):
//   node test/support/with-servers.js node bench/malformed-requests.js DIR   (MALFORMED_ROUNDS=4 → ~4,000 requests)
import { spawn, execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? '');
if (!process.argv[2] || !process.env.DATABASE_URL || !process.env.REDIS_URL) {
  console.error('usage: node test/support/with-servers.js node bench/malformed-requests.js GENERATED_PROJECT_DIR');
  process.exit(2);
}
const rounds = Number(process.env.MALFORMED_ROUNDS ?? 4);
const secret = 'malformed-run-secret-that-is-at-least-32-characters';
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = s.address();
    s.close(() => resolve(free));
  });
});
const env = {
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  JWT_SECRET: secret,
  LOG_LEVEL: 'silent',
  NODE_ENV: 'production',
  REDIS_KEY_PREFIX: `malformed-${randomUUID().slice(0, 8)}`,
  RATE_LIMIT_ANONYMOUS_MAX: '100000000',
  RATE_LIMIT_USER_MAX: '100000000',
};
const tsx = path.join(dir, 'node_modules/.bin/tsx');
execFileSync(tsx, ['src/db/migrate.ts'], { cwd: dir, env, stdio: 'ignore' });
const email = `fuzz-${randomUUID()}@example.com`;
execFileSync(tsx, ['src/auth/create-user.ts', '--email', email, '--password', 'a-long-password-123', '--role', 'admin'], { cwd: dir, env, stdio: 'ignore' });
const server = spawn(tsx, ['src/server.ts'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
let serverErr = '';
server.stderr.on('data', (d) => (serverErr += d));

const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if ((await fetch(`${base}/health/ready`).then((r) => r.status, () => 0)) === 200) break;
  if (i > 150) throw new Error(`API did not become ready:\n${serverErr}`);
  await new Promise((r) => setTimeout(r, 200));
}
const token = (await (await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'a-long-password-123' }) })).json()).access_token;
const openapi = await (await fetch(`${base}/docs/json`)).json();

// A deterministic PRNG so a run can be repeated.
let state = Number(process.env.MALFORMED_SEED ?? 12345);
const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const b64 = (o) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
function jwt(payload, key = secret, alg = 'HS256') {
  const head = b64({ alg, typ: 'JWT' });
  const body = b64(payload);
  const sig = alg === 'none' ? '' : createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
const now = Math.floor(Date.now() / 1000);
const tokens = [
  token,
  'garbage',
  jwt({ sub: 'x\u0000', role: 'admin', iat: now }),
  jwt({ sub: randomUUID(), role: 'root', iat: now }),
  jwt({ sub: randomUUID(), role: 'admin', iat: now - 10_000, exp: now - 5000 }),
  jwt({ sub: randomUUID(), role: 'admin' }, 'wrong-secret'),
  jwt({ sub: randomUUID(), role: 'admin' }, secret, 'none'),
  jwt({ sub: { $ne: 1 }, role: 'admin' }),
  `${'a'.repeat(3000)}.b.c`,
];
const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const bodies = [
  '{',
  'null',
  '[]',
  '"x"',
  '{"a":1,"a":2}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  JSON.stringify({ name: 'a\u0000b', title: 'x\u0000', email: 'a\u0000@b.c' }),
  '{"name":"\\ud800","title":"\\udfff"}',
  '{"n":1e309,"m":-1e309,"k":123456789012345678901234567890}',
  deep,
  `{"x":${deep}}`,
  JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
  '\u0000',
  '\xff\xfe\xfd',
  '{"name":' + '"'.repeat(1) + 'unterminated',
];
const contentTypes = ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/xml', ''];
const queryValues = ['limit=-1', 'limit=1e9', 'limit=abc', 'limit[]=1', 'cursor=garbage', `cursor=${b64(['created_at', 'x\u0000', randomUUID()])}`, `cursor=${b64({ a: 1 })}`, `cursor=${b64('[')}`, 'sort=__proto__', 'sort=constructor', 'x=%zz', 'x=%00', '%00=1', `q=${'a'.repeat(10_000)}`, 'limit=1&limit=2'];
const ids = ['not-a-uuid', '%00', `${randomUUID()}%00`, 'a'.repeat(5000), '..%2F..%2Fetc%2Fpasswd', '%F0%9F%98%80', randomUUID()];

// Every route, with path parameters filled by a hostile id.
const routes = Object.entries(openapi.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path: p })));

function wellFormed() {
  const route = pick(routes);
  const url = route.path.replace(/\{[^}]+\}/g, () => pick(ids)) + (rand() < 0.5 ? `?${pick(queryValues)}` : '');
  const body = ['POST', 'PUT', 'PATCH'].includes(route.method) || rand() < 0.1 ? pick(bodies) : '';
  const headers = [`Host: 127.0.0.1`, 'Connection: close'];
  if (rand() < 0.85) headers.push(`Authorization: Bearer ${pick(tokens)}`);
  if (body || rand() < 0.2) headers.push(`Content-Type: ${pick(contentTypes)}`);
  if (rand() < 0.2) headers.push(`Idempotency-Key: ${pick(['', 'k'.repeat(300), 'same-key', '\u00e9'])}`);
  if (rand() < 0.1) headers.push(`X-Request-Id: ${pick(['', 'a'.repeat(500), '../x', '\u00ff'])}`);
  const buf = Buffer.from(body, 'latin1');
  headers.push(`Content-Length: ${buf.length}`);
  return Buffer.concat([Buffer.from(`${route.method} ${url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), buf]);
}

const rawCases = [
  'GARBAGE\r\n\r\n',
  '\u0000\u0001\u0002\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
  'GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n',
  'GET /health/live HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n',
  'GET /health/live HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n',
  'GET /health/live HTTP/1.1\r\nHost: x\r\n folded: x\r\n\r\n',
  'GET /health/live HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n',
  'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
  'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
  'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n',
  'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'POST /auth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /auth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n0\r\n\r\n',
  'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":',
  'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffff\r\n{',
  `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
  `GET /${'a'.repeat(70_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
  'GET /health/live HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n',
  'OPTIONS /health/live HTTP/1.1\r\nHost: x\r\nOrigin: http://evil.example\r\n\r\n',
  'OPTIONS /health/live HTTP/1.1\r\nHost: x\r\n\r\n',
  'BREW /health/live HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET health/live HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /health/live\r\n\r\n',
];

/** Sends one request on its own connection; returns { status, type, ms } (status 0: closed without an answer). */
function send(bytes) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = connect(port, '127.0.0.1');
    let answer = Buffer.alloc(0);
    let answeredMs = 0;
    const finish = () => {
      const head = answer.subarray(0, 4096).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const type = /\r\ncontent-type: ([^\r\n]*)/i.exec(head)?.[1] ?? '';
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? -1);
      // Time to the answer (a keep-alive connection may then stay open; the socket timeout ends it).
      resolve({ status, type, length, ms: answeredMs || performance.now() - t0 });
    };
    socket.on('data', (d) => {
      answeredMs ||= performance.now() - t0;
      answer = Buffer.concat([answer, d]);
      // A complete answer: stop waiting for a keep-alive connection to close.
      const headEnd = answer.indexOf('\r\n\r\n');
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(answer.subarray(0, Math.max(0, headEnd)).toString('latin1'))?.[1] ?? NaN);
      if (headEnd >= 0 && answer.length >= headEnd + 4 + length) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    socket.setTimeout(40_000, () => socket.destroy());
    socket.write(bytes, () => undefined);
  });
}

const requests = [];
for (let r = 0; r < rounds; r++) {
  for (const raw of rawCases) requests.push({ kind: 'raw', bytes: Buffer.from(raw, 'latin1') });
  for (let i = 0; i < 1000 - rawCases.length; i++) requests.push({ kind: 'route', bytes: wellFormed() });
}

const byStatus = new Map();
const problems = [];
let notProblem = 0;
let slowest = 0;
let slowestRequest = '';
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: 24 }, async () => {
    while (next < requests.length) {
      const request = requests[next++];
      const res = await send(request.bytes);
      byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
      if (res.ms > slowest) {
        slowest = res.ms;
        slowestRequest = request.bytes.subarray(0, 100).toString('latin1').replace(/\r\n/g, '⏎');
      }
      if (res.status >= 500) problems.push(`${res.status} for ${request.bytes.subarray(0, 120).toString('latin1').replace(/\r\n/g, '⏎')}`);
      if (res.status >= 400 && res.length !== 0 && !res.type.startsWith('application/problem+json')) {
        notProblem++;
        if (notProblem <= 5) problems.push(`${res.status} not problem+json (${res.type || 'no content-type'}) for ${request.bytes.subarray(0, 120).toString('latin1').replace(/\r\n/g, '⏎')}`);
      }
    }
  }),
);
const alive = (await fetch(`${base}/health/ready`).then((r) => r.status, () => 0)) === 200;
server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));

const fivexx = [...byStatus].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
console.log(`${requests.length} malformed/hostile requests in ${((performance.now() - started) / 1000).toFixed(0)} s against ${routes.length} routes`);
console.log(`  by status: ${[...byStatus].sort((a, b) => a[0] - b[0]).map(([s, c]) => `${s || 'closed'}: ${c}`).join(', ')}`);
console.log(`  5xx: ${fivexx}; error answers that are not problem+json: ${notProblem}; slowest answer ${slowest.toFixed(0)} ms; ready afterwards: ${alive}`);
console.log(`  slowest request: ${slowestRequest}`);
for (const p of problems.slice(0, 15)) console.log(`  ! ${p}`);
process.exitCode = fivexx > 0 || notProblem > 0 || !alive || slowest > 20_000 ? 1 : 0;
