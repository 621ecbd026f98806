/**
 * `update` on a hand-edited hybrid project moves one job from the container's worker to a function
 * (the spec's `runtime: container` removed: the hybrid's default is serverless) and back: the job's
 * BullMQ processor and test go, its function, queue (bounded retries, dead-letter queue), outbox route
 * and offload test come; no migration (the schema did not change); the hand edits in both halves
 * survive; the offload checks still pass.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitTree } from '../../generators/core/commit.js';
import { answersSchema } from '../../generators/core/manifest.js';
import { loadSpecFile } from '../../generators/domain/load.js';
import { generateProject } from '../../generators/pipeline/generate.js';
import { runRegen } from '../../generators/regen/run.js';
import { replaceSpecChange } from '../../generators/regen/spec-change.js';
import { runVerify } from '../../generators/verify/run.js';
import { git, gitInitCommit, read, tempDir } from './helpers.js';

let root: string;
let dir: string;

beforeAll(async () => {
  root = tempDir('hybrid');
  dir = path.join(root, 'shop');
  const spec = await loadSpecFile(path.resolve('test/fixtures/specs/shop-hybrid.yaml'));
  const { tree } = await generateProject({ targetDir: dir, answers: answersSchema.parse({ name: 'shop', blueprint: 'hybrid' }), spec });
  await commitTree(tree);
  gitInitCommit(dir);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

const OFFLOAD_CHECKS = ['hybrid.offload-outbox', 'hybrid.relay-delivery', 'hybrid.ingress-verifies', 'async.job-options', 'async.enqueue-202'];

async function staticChecks(): Promise<string[]> {
  const report = await runVerify({ dir, staticOnly: true, only: OFFLOAD_CHECKS });
  return report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.summary}`);
}

describe('hybrid: update moves a job between the worker and the functions', () => {
  it('moves settle-order to a function and back, keeping the hand edits in both halves', async () => {
    const service = 'src/modules/order/service.ts';
    const ingress = 'functions/src/ingress.ts';
    const marker = '// our note: orders are settled nightly\n';
    writeFileSync(path.join(dir, service), marker + read(dir, service));
    writeFileSync(path.join(dir, ingress), read(dir, ingress).replace('const TOLERANCE_SECONDS = 300;', 'const TOLERANCE_SECONDS = 120; // our clock skew budget'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'hand edits');
    const migrationsBefore = readdirSync(path.join(dir, 'migrations'));
    expect(existsSync(path.join(dir, 'src/jobs/settle-order.ts'))).toBe(true);
    expect(existsSync(path.join(dir, 'functions/src/jobs/settle-order.ts'))).toBe(false);

    const setRuntime = (runtime: 'container' | 'serverless' | undefined) => (m: { spec: Parameters<typeof replaceSpecChange>[0] }) => {
      const spec = structuredClone(m.spec);
      const job = spec.jobs['settle-order']!;
      if (runtime) job.runtime = runtime;
      else delete job.runtime;
      return replaceSpecChange(spec, 'manifest');
    };

    // Out: no runtime → the hybrid's default, a function.
    const out = await runRegen({ dir, generator: 'update', specFromManifest: true, change: setRuntime(undefined) });
    expect(out.conflicts).toEqual([]);
    expect(out.migrations).toEqual([]);
    expect(readdirSync(path.join(dir, 'migrations'))).toEqual(migrationsBefore);
    for (const gone of ['src/jobs/settle-order.ts', 'test/integration/jobs/settle-order.test.ts']) expect(existsSync(path.join(dir, gone)), gone).toBe(false);
    for (const made of ['functions/src/jobs/settle-order.ts', 'test/integration/offload/settle-order.test.ts']) expect(existsSync(path.join(dir, made)), made).toBe(true);
    const wrangler = read(dir, 'functions/wrangler.jsonc');
    expect(wrangler).toMatch(/"queue": "shop-settle-order",\s*"max_batch_size": 10,\s*"max_batch_timeout": 1,\s*"max_retries": 2,\s*"dead_letter_queue": "shop-settle-order-dlq"/);
    expect(read(dir, 'src/offload/outbox.ts')).toMatch(/OFFLOADED_JOBS = \[[^\]]*'settle-order'/);
    expect(read(dir, 'src/offload/routes.ts')).toContain("'/orders/:id/jobs/settle-order'");
    expect(read(dir, 'src/jobs/definitions.ts')).not.toContain("'settle-order'");
    expect(read(dir, service)).toContain(marker);
    expect(read(dir, ingress)).toContain('const TOLERANCE_SECONDS = 120; // our clock skew budget');
    // Both jobs are functions now: the job checks judge them on the offload path (none skips).
    expect(await staticChecks()).toEqual([]);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'settle-order runs as a function');

    // Back: runtime: container.
    const back = await runRegen({ dir, generator: 'update', specFromManifest: true, change: setRuntime('container') });
    expect(back.conflicts).toEqual([]);
    expect(back.migrations).toEqual([]);
    expect(existsSync(path.join(dir, 'src/jobs/settle-order.ts'))).toBe(true);
    expect(existsSync(path.join(dir, 'functions/src/jobs/settle-order.ts'))).toBe(false);
    expect(read(dir, 'functions/wrangler.jsonc')).not.toContain('shop-settle-order');
    expect(read(dir, 'src/jobs/definitions.ts')).toContain("'settle-order'");
    expect(read(dir, service)).toContain(marker);
    expect(read(dir, ingress)).toContain('const TOLERANCE_SECONDS = 120; // our clock skew budget');
    expect(await staticChecks()).toEqual([]);
  }, 120_000);
});
