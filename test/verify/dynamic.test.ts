/**
 * Dynamic checks against real PostgreSQL and Redis (DATABASE_URL/REDIS_URL, set by
 * test/support/with-servers.js). One generated project is installed once; every check passes on it,
 * then each break-case edits it, runs just that check, and restores the file.
 */
import { readFile, writeFile } from 'node:fs/promises';
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
    const notPassed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id} (${r.status}): ${r.summary}\n${evidenceText(r)}`);
    expect(notPassed).toEqual([]);
    expect(report.results.filter((r) => r.kind === 'dynamic').map((r) => r.id)).toEqual(DYNAMIC_CHECKS.map((c) => c.id));
    const load = report.results.find((r) => r.id === 'dynamic.load-p95')!;
    expect(Number(load.figures?.p95ms)).toBeLessThan(100);
  });
});

const ROUTES = 'src/modules/project/routes.ts';
/** [check id, what is broken, files touched, the breakage, evidence that must be named] */
const CASES: [string, string, string[], (d: string) => Promise<void>, RegExp][] = [
  ['dynamic.typecheck', 'a type error', ['src/lib/timeout.ts'], async (d) => writeFile(path.join(d, 'src/lib/timeout.ts'), `${await readFile(path.join(d, 'src/lib/timeout.ts'), 'utf8')}\nexport const broken: number = 'not a number';\n`), /timeout\.ts.*error TS2322/],
  ['dynamic.test-suite', 'a failing test', ['test/unit/broken.test.ts'], (d) => addFile(d, 'test/unit/broken.test.ts', "import { expect, it } from 'vitest';\nit('is broken on purpose', () => expect(1 + 1).toBe(3));\n"), /broken\.test\.ts|is broken on purpose/],
  ['dynamic.explain-access-patterns', 'an access-pattern index dropped', ['migrations/0002_drop.sql'], (d) => addFile(d, 'migrations/0002_drop.sql', '-- Up Migration\nDROP INDEX task_project_id_done_priority_desc_idx;\n\n-- Down Migration\n'), /task: GET \/tasks\?project_id=…&done=…&sort=priority:desc: (no index scan|the index does not serve the order)[\s\S]*Seq Scan|Sort/],
  ['dynamic.api-walk', 'auth removed from a POST', [ROUTES], (d) => breakFile(d, ROUTES, "preValidation: authorize(['editor', 'admin']),", ''), /project create without a token: expected 401, got POST \/projects .*→ 201/],
  ['dynamic.job-roundtrip', 'the worker never completes the job', ['src/jobs/export-project.ts'], (d) => breakFile(d, 'src/jobs/export-project.ts', '  return runOnce(db, job, async () => {', "  if (job.data) throw new Error('broken on purpose');\n  return runOnce(db, job, async () => {"), /export-project: not completed within 15 s; last GET \/jobs\/export-project\/\S+ .*→ 200 .*"status":"(queued|failed|active)"/],
  ['dynamic.explain-access-patterns', 'the index of the plain list dropped', ['migrations/0002_drop.sql'], (d) => addFile(d, 'migrations/0002_drop.sql', '-- Up Migration\nDROP INDEX team_created_at_desc_idx;\n\n-- Down Migration\n'), /team: GET \/teams\?sort=created_at:desc: (no index scan|the index does not serve the order)/],
  ['dynamic.metrics-series', '/metrics served on the public API port', ['src/app.ts'], (d) => breakFile(d, 'src/app.ts', 'await app.register(healthRoutes);', "await app.register(healthRoutes);\n  app.get('/metrics', async () => app.metrics.registry.metrics());"), /GET http:\/\/127\.0\.0\.1:\d+\/metrics answers 200 without credentials on the public API port/],
  ['dynamic.metrics-series', 'a metric renamed', ['src/observability/metrics.ts'], (d) => breakFile(d, 'src/observability/metrics.ts', "name: 'cache_hits_total'", "name: 'cache_hit_count'"), /api \/metrics has no sample of cache_hits_total/],
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
