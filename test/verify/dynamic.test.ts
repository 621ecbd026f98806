/**
 * Dynamic checks against real PostgreSQL and Redis (DATABASE_URL/REDIS_URL, set by
 * test/support/with-servers.js). One generated project is installed once; every check passes on it,
 * then each break-case edits it, runs just that check, and restores the file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generators/cli/main.js';
import { runVerify } from '../../generators/verify/run.js';
import { DYNAMIC_CHECKS } from '../../generators/verify/checks/dynamic.js';
import { withRuntime } from '../../generators/verify/checks/dynamic/guard.js';
import { pass } from '../../generators/verify/types.js';
import type { Runtime } from '../../generators/verify/dynamic/runtime.js';
import { addFile, breakFile, evidenceText, generate, removeProject, runCheck } from './helpers.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { lintOpenApi, servedApiDocument, summarize } from '../support/spectral.js';

let project: string;

beforeAll(async () => {
  if (!process.env.DATABASE_URL || !process.env.REDIS_URL) throw new Error('run under node test/support/with-servers.js (DATABASE_URL and REDIS_URL are needed)');
  const root = await mkdtemp(path.join(tmpdir(), 'cba-verify-dyn-'));
  project = path.join(root, 'acme');
  const out: string[] = [];
  const sink = { write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WritableStream;
  const code = await main(['new', project, '--yes', '--no-verify'], { invokedAs: 'backend-arch', stdout: sink, stderr: sink, interactive: false });
  if (code !== 0) throw new Error(`generate + install failed (${code}): ${out.join('')}`);
}, 600_000);

afterAll(async () => {
  if (project) await rm(path.dirname(project), { recursive: true, force: true });
});

/** Applies a breakage, runs `fn`, and restores every touched file. */
async function broken(files: string[], breakIt: () => Promise<void>, fn: () => Promise<void>): Promise<void> {
  const saved = await Promise.all(files.map(async (f) => [f, await readFile(path.join(project, f), 'utf8').catch(() => null)] as const));
  try {
    await breakIt();
    await fn();
  } finally {
    for (const [f, text] of saved) {
      if (text === null) await rm(path.join(project, f), { force: true });
      else await writeFile(path.join(project, f), text);
    }
  }
}

describe('a freshly generated, installed project', () => {
  it('passes every check, static and dynamic, against real servers', { timeout: 300_000 }, async () => {
    const report = await runVerify({ dir: project });
    // The one check that does not apply: acme declares no multi-tenancy.
    const notPassed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id} (${r.status}): ${r.summary}`);
    expect(notPassed, report.results.map((r) => `${r.id}: ${evidenceText(r)}`).join('\n')).toEqual(['schema.tenant-isolation (skip): The spec declares no multi-tenancy']);
    expect(report.results.filter((r) => r.kind === 'dynamic').map((r) => r.id)).toEqual(DYNAMIC_CHECKS.map((c) => c.id));
    const load = report.results.find((r) => r.id === 'dynamic.load-p95')!;
    expect(Number(load.figures?.p95ms)).toBeLessThan(100);
  });
});

describe('a second shape, installed: shop (reserved words, composite access patterns, no soft delete, decimal/bigint/json)', () => {
  let shop: string | undefined;
  afterAll(async () => {
    if (shop) await rm(path.dirname(shop), { recursive: true, force: true });
  });

  it('passes every check that applies, static and dynamic, with 0 false failures', { timeout: 900_000 }, async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cba-verify-shop-'));
    shop = path.join(root, 'shop');
    const out: string[] = [];
    const sink = { write: (t: string) => (out.push(t), true) } as unknown as NodeJS.WritableStream;
    const code = await main(['new', shop, '--yes', '--no-verify', '--spec', 'test/fixtures/specs/shop.yaml'], { invokedAs: 'backend-arch', stdout: sink, stderr: sink, interactive: false });
    expect(code, out.join('')).toBe(0);
    const report = await runVerify({ dir: shop });
    const wrong = report.results.filter((r) => r.status === 'fail' || r.notRun).map((r) => `${r.id} (${r.status}): ${r.summary}\n${evidenceText(r)}`);
    expect(wrong).toEqual([]);
    expect(report.results.filter((r) => r.kind === 'dynamic' && r.status === 'pass').length).toBe(DYNAMIC_CHECKS.length);
  });

  // The shop project is built and installed already (verify built dist/): the cheapest place to lint its
  // served OpenAPI document (decimals, bigints, json, composite access patterns, reserved words).
  it('serves an OpenAPI 3.1 document with 0 Spectral errors (spectral:oas + OWASP API Top 10)', { timeout: 180_000 }, async () => {
    if (!shop) throw new Error('the shop project was not generated (the test above failed)');
    type Parameter = { name: string; in: string; required?: boolean };
    const document = (await servedApiDocument(shop)) as { openapi: string; paths: Record<string, { get?: { parameters?: Parameter[] } }> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).length).toBeGreaterThan(5);
    // `limit` has a default (20): documented, never required, on every list route.
    const limits = Object.values(document.paths).flatMap((item) => (item.get?.parameters ?? []).filter((p) => p.in === 'query' && p.name === 'limit'));
    expect(limits.length).toBeGreaterThanOrEqual(3);
    expect(limits.filter((p) => p.required)).toEqual([]);
    const errors = (await lintOpenApi(document)).filter((f) => f.severity === 'error');
    expect(errors, summarize(errors)).toEqual([]);
  });
});

const ROUTES = 'src/modules/project/routes.ts';
const APP = 'src/app.ts';
const JOBS = 'src/jobs/routes.ts';
const UP = '-- Up Migration\n';
const DOWN = '\n-- Down Migration\n';
/** [check id, what is broken, files touched, the breakage, evidence that must be named] */
const CASES: [string, string, string[], (d: string) => Promise<void>, RegExp][] = [
  ['dynamic.typecheck', 'a type error', ['src/lib/timeout.ts'], async (d) => writeFile(path.join(d, 'src/lib/timeout.ts'), `${await readFile(path.join(d, 'src/lib/timeout.ts'), 'utf8')}\nexport const broken: number = 'not a number';\n`), /timeout\.ts.*error TS2322/],
  ['dynamic.test-suite', 'a failing test', ['test/unit/broken.test.ts'], (d) => addFile(d, 'test/unit/broken.test.ts', "import { expect, it } from 'vitest';\nit('is broken on purpose', () => expect(1 + 1).toBe(3));\n"), /broken\.test\.ts|is broken on purpose/],
  ['dynamic.explain-access-patterns', 'an access-pattern index dropped', ['migrations/0002_drop.sql'], (d) => addFile(d, 'migrations/0002_drop.sql', `${UP}DROP INDEX task_project_id_done_priority_desc_idx;\n${DOWN}`), /task: GET \/tasks\?project_id=…&done=…&sort=priority:desc: (no index access on an index serving \(project_id, done\)|reads the whole table|the page's cost grows)/],
  ['dynamic.explain-access-patterns', 'the index recreated leading with the sort column', ['migrations/0002_reorder.sql'], (d) => addFile(d, 'migrations/0002_reorder.sql', `${UP}DROP INDEX task_project_id_done_priority_desc_idx;\nCREATE INDEX task_by_priority ON task (priority DESC, project_id, done);\n${DOWN}`), /task: GET \/tasks\?project_id=…&done=…&sort=priority:desc: (no index access on an index serving \(project_id, done\)|reads the whole table|the page's cost grows)/],
  ['dynamic.security-headers', 'helmet unregistered', [APP], (d) => breakFile(d, APP, '    reply.headers(securityHeaders);\n', ''), /GET \/health\/live → 200: x-content-type-options \(want nosniff, got null\)/],
  ['dynamic.security-headers', 'the headers set by a hook in an encapsulated child scope', [APP], (d) => breakFile(d, APP, '    reply.headers(securityHeaders);\n', '').then(() => breakFile(d, APP, "  await app.register(cors, {", "  await app.register(async (scope) => {\n    scope.addHook('onRequest', (_request, reply, done) => {\n      reply.headers(securityHeaders);\n      done();\n    });\n  });\n  await app.register(cors, {")), /x-content-type-options \(want nosniff, got null\)/],
  ['dynamic.security-headers', 'HSTS switched off', [APP], (d) => breakFile(d, APP, 'const securityHeaders = helmetHeaders();', 'const securityHeaders = helmetHeaders({ strictTransportSecurity: false });'), /strict-transport-security \(want max-age > 0, got null\)/],
  ['dynamic.security-headers', 'a hook stripping nosniff from error responses', [APP], (d) => breakFile(d, APP, "  await app.register(cors, {", "  app.addHook('onSend', async (_request, reply, payload) => {\n    if (reply.statusCode >= 400) reply.removeHeader('x-content-type-options');\n    return payload;\n  });\n  await app.register(cors, {"), /→ (400|401|404): x-content-type-options \(want nosniff, got null\)/],
  ['dynamic.cors-allowlist', "origin '*'", [APP], (d) => breakFile(d, APP, 'origin: config.CORS_ORIGINS', "origin: '*'"), /OPTIONS \/teams \(Origin: https:\/\/evil\.example\) → 204 with Access-Control-Allow-Origin: \*/],
  ['dynamic.cors-allowlist', 'origin: true (reflect any origin)', [APP], (d) => breakFile(d, APP, 'origin: config.CORS_ORIGINS', 'origin: true'), /\(Origin: https:\/\/evil\.example\) → \d+ with Access-Control-Allow-Origin: https:\/\/evil\.example/],
  ['dynamic.cors-allowlist', 'an origin function that accepts everything', [APP], (d) => breakFile(d, APP, 'origin: config.CORS_ORIGINS', 'origin: (_origin, callback) => callback(null, true)'), /Origin: https:\/\/evil\.example\) → \d+ with Access-Control-Allow-Origin/],
  ['dynamic.cors-allowlist', 'a pattern built from the allowlist', [APP], (d) => breakFile(d, APP, 'origin: config.CORS_ORIGINS', "origin: new RegExp(config.CORS_ORIGINS.join('|'))"), /Origin: http:\/\/localhost:5173\.evil\.example\) → \d+ with Access-Control-Allow-Origin/],
  ['dynamic.cors-allowlist', 'a hook echoing the Origin header', [APP], (d) => breakFile(d, APP, "  await app.register(cors, {", "  app.addHook('onSend', async (request, reply, payload) => {\n    if (request.headers.origin) reply.header('access-control-allow-origin', request.headers.origin);\n    return payload;\n  });\n  await app.register(cors, {"), /GET \/teams \(Origin: https:\/\/evil\.example\) → 401 with Access-Control-Allow-Origin: https:\/\/evil\.example/],
  ['dynamic.job-accepted-without-worker', 'the handler waits with waitUntilFinished', [JOBS], (d) => breakFile(d, JOBS, "const accepted = await enqueue(app, request, 'export-project', request.params.id);", "const accepted = await enqueue(app, request, 'export-project', request.params.id);\n      const queue = app.queues['export-project'];\n      await (await queue.getJob(accepted.jobId))?.waitUntilFinished(new QueueEvents(queue.name, { connection: new Redis(process.env.REDIS_URL!, { maxRetriesPerRequest: null }), prefix: queue.opts.prefix }));").then(() => breakFile(d, JOBS, /^/, "import { QueueEvents } from 'bullmq';\nimport { Redis } from 'ioredis';\n")), /export-project: POST \S+ with no worker running: no answer within 3000 ms/],
  ['dynamic.job-accepted-without-worker', "the handler polls the job's state", [JOBS], (d) => breakFile(d, JOBS, "const accepted = await enqueue(app, request, 'export-project', request.params.id);", "const accepted = await enqueue(app, request, 'export-project', request.params.id);\n      const job = await app.queues['export-project'].getJob(accepted.jobId);\n      while (job && !(await job.isCompleted())) await new Promise((r) => setTimeout(r, 50));"), /no worker running: no answer within 3000 ms/],
  ['dynamic.job-accepted-without-worker', 'the handler does the work inline', [JOBS], (d) => breakFile(d, JOBS, "const accepted = await enqueue(app, request, 'export-project', request.params.id);", "const accepted = await enqueue(app, request, 'export-project', request.params.id);\n      await new Promise((r) => setTimeout(r, 500));"), /answered 202 in \d+, \d+, \d+ ms \(median \d+ ms > 300 ms\)/],
  ['dynamic.api-walk', 'auth removed from a POST', [ROUTES], (d) => breakFile(d, ROUTES, "preValidation: authorize(['editor', 'admin']),", ''), /project create without a token: expected 401, got POST \/projects .*→ 201/],
  ['dynamic.job-roundtrip', 'the worker never completes the job', ['src/jobs/export-project.ts'], (d) => breakFile(d, 'src/jobs/export-project.ts', '  return runOnce(db, job, async () => {', "  if (job.data) throw new Error('broken on purpose');\n  return runOnce(db, job, async () => {"), /export-project: not completed within 15 s; last GET \/jobs\/export-project\/\S+ .*→ 200 .*"status":"(queued|failed|active)"/],
  ['dynamic.explain-access-patterns', 'the index of the plain list dropped', ['migrations/0002_drop.sql'], (d) => addFile(d, 'migrations/0002_drop.sql', '-- Up Migration\nDROP INDEX team_created_at_desc_idx;\n\n-- Down Migration\n'), /team: GET \/teams\?sort=created_at:desc: (no index access on an index serving \(created_at\)|reads the whole table)/],
  ['dynamic.metrics-series', '/metrics served on the public API port', ['src/app.ts'], (d) => breakFile(d, 'src/app.ts', 'await app.register(healthRoutes);', "await app.register(healthRoutes);\n  app.get('/metrics', async () => app.metrics.registry.metrics());"), /GET http:\/\/127\.0\.0\.1:\d+\/metrics answers 200 without credentials on the public API port/],
  ['dynamic.metrics-series', 'a metric renamed', ['src/observability/metrics.ts'], (d) => breakFile(d, 'src/observability/metrics.ts', "name: 'cache_hits_total'", "name: 'cache_hit_count'"), /api \/metrics has no sample of cache_hits_total/],
  ['dynamic.metrics-series', 'requests counted without their route', ['src/app.ts'], (d) => breakFile(d, 'src/app.ts', "const route = request.routeOptions.url ?? 'unmatched';", "const route = 'all';"), /http_requests_total has no sample for route \/teams\/:id after requests to it/],
  ['dynamic.rate-limit-429', 'rate limiting not global', ['src/app.ts'], (d) => breakFile(d, 'src/app.ts', 'global: true,', 'global: false,'), /GET \/teams .*→ 401/],
  ['dynamic.readiness', 'readiness always 200', ['src/http/health.ts'], (d) => breakFile(d, 'src/http/health.ts', 'return sendProblem(reply, 503, `Not ready: ${down} unavailable`);', "return { status: 'ok' as const };"), /Redis stopped: GET \/health\/ready → 200/],
  ['dynamic.graceful-shutdown', 'SIGTERM exits at once', ['src/server.ts'], (d) => breakFile(d, 'src/server.ts', 'await app.close();', 'process.exit(0);'), /in-flight request → (0|5\d\d) /],
  ['dynamic.load-p95', 'a slow read', ['src/modules/team/routes.ts'], (d) => breakFile(d, 'src/modules/team/routes.ts', 'const row = await service.get(request.params.id);', 'await new Promise((r) => setTimeout(r, 150));\n      const row = await service.get(request.params.id);'), /p95 \d+(\.\d)? ms/],
];

describe('each dynamic check fails, naming the evidence, when the project is broken', () => {
  it('every dynamic check has a break-case', () => {
    const covered = new Set(CASES.map(([id]) => id));
    expect(DYNAMIC_CHECKS.map((c) => c.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  for (const [id, what, files, breakIt, evidence] of CASES) {
    it(`${id}: ${what}`, { timeout: 180_000 }, async () => {
      await broken(files, () => breakIt(project), async () => {
        const r = await runCheck(project, id);
        expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('fail');
        expect(evidenceText(r)).toMatch(evidence);
      });
    });
  }
});

/** Correct code written differently from the templates: the dynamic checks judge the property, so these pass. */
const CORRECT: [string, string, string[], (d: string) => Promise<void>][] = [
  ['dynamic.explain-access-patterns', 'the index recreated with its equality columns in the other order, under another name', ['migrations/0002_equivalent.sql'], (d) => addFile(d, 'migrations/0002_equivalent.sql', `${UP}DROP INDEX task_project_id_done_priority_desc_idx;\nCREATE INDEX task_page ON task (done, project_id, priority DESC, id DESC);\n${DOWN}`)],
  ['dynamic.cors-allowlist', 'an origin function that checks the allowlist', [APP], (d) => breakFile(d, APP, 'origin: config.CORS_ORIGINS', 'origin: (origin, callback) => callback(null, origin !== undefined && config.CORS_ORIGINS.includes(origin))')],
];

describe('correct code written differently passes the dynamic checks', () => {
  for (const [id, what, files, edit] of CORRECT) {
    it(`${id}: ${what}`, { timeout: 240_000 }, async () => {
      await broken(files, () => edit(project), async () => {
        const r = await runCheck(project, id);
        expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
      });
    });
  }
});

describe('verify always ends', () => {
  it('on a project whose build fails: one clear cause, the dependent checks marked not run, and the process exits by itself', { timeout: 300_000 }, async () => {
    await broken(['src/lib/timeout.ts'], async () => writeFile(path.join(project, 'src/lib/timeout.ts'), `${await readFile(path.join(project, 'src/lib/timeout.ts'), 'utf8')}\nexport const broken: number = 'not a number';\n`), async () => {
      const bin = path.resolve('bin/backend-arch.js');
      const child = spawn(process.execPath, [bin, 'verify', project, '--no-report', '--only', 'dynamic.explain,dynamic.api-walk,dynamic.readiness,dynamic.security-headers'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let summaryAt = 0;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!summaryAt && /\d+ passed, \d+ failed/.test(out)) summaryAt = Date.now();
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const killer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      clearTimeout(killer);
      const afterSummaryMs = Date.now() - summaryAt;
      expect(signal, out).toBeNull();
      expect(code, out).toBe(1);
      expect(summaryAt, out).toBeGreaterThan(0);
      expect(afterSummaryMs, 'the process lingered after printing its result').toBeLessThan(5000);
      expect(out.match(/✗ dynamic\.explain-access-patterns — the check could not complete: npm run build failed/g)).toHaveLength(1);
      expect(out.match(/skipped dynamic\.\S+ — not run: npm run build failed \(reported by dynamic\.explain-access-patterns\)/g)).toHaveLength(3);
    });
  });
});

describe('without servers or dependencies, dynamic checks are skipped with the reason, never passed', () => {
  it('a project without node_modules', { timeout: 60_000 }, async () => {
    const dir = await generate('bare');
    try {
      const r = await runCheck(dir, 'dynamic.api-walk');
      expect(r.status).toBe('skip');
      expect(r.summary).toMatch(/dependencies are not installed/);
      expect(r.fix).toMatch(/npm install/);
    } finally {
      await removeProject(dir);
    }
  });

  it('servers unavailable', async () => {
    const fake = { unavailable: async () => ({ reason: 'Cannot start throwaway PostgreSQL/Redis: missing initdb', fix: 'apt-get install -y postgresql redis-server' }) } as unknown as Runtime;
    const out = await withRuntime({ project: undefined as never, runtime: fake }, async () => pass('must not run'));
    expect(out.status).toBe('skip');
    expect(out.summary).toMatch(/missing initdb/);
    expect(out.fix).toMatch(/apt-get install/);
  });
});
