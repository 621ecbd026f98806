/**
 * async.enqueue-202 finds the job consumer through the plan (plan.jobConsumer), not through one job
 * library: it fails when the declared consumer is gone from the worker process, passes for another
 * library's shape once the plan declares it, and skips with the reason when a plan declares no consumer.
 * Static only: no install, no servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectContext } from '../../generators/verify/context.js';
import { enqueue202 } from '../../generators/verify/checks/async/enqueue-202.js';
import { addFile, breakFile, copyProject, generate, removeProject } from './helpers.js';

let acme: string;
const copies: string[] = [];

beforeAll(async () => {
  acme = await generate('acme');
}, 60_000);

afterAll(async () => {
  await Promise.all([acme, ...copies].filter(Boolean).map(removeProject));
});

async function copy(): Promise<string> {
  const dir = await copyProject(acme);
  copies.push(dir);
  return dir;
}

const WORKER_RUNTIME = 'src/jobs/worker-runtime.ts';
/** Another job library's shape (pg-boss: `boss.work(queue, handler)`), reachable from the worker's entry. */
const BOSS = "export function consume(boss: { work(queue: string, handler: () => Promise<void>): Promise<string> }) {\n  return boss.work('export-project', async () => undefined);\n}\n";
const PG_BOSS = { script: 'start:worker', entry: 'src/worker.ts', construct: { kind: 'method' as const, name: 'work' }, library: 'pg-boss' };

describe('async.enqueue-202: the consumer the plan declares', () => {
  it('passes on a fresh monolith, naming the BullMQ worker it found', async () => {
    const r = await enqueue202.run({ project: await ProjectContext.load(acme) });
    expect(r.status).toBe('pass');
    expect(r.evidence.map((e) => `${e.file}:${e.line} ${e.text}`).join('\n')).toMatch(/worker-runtime\.ts:\d+ new Worker\(…\) in the worker process \(src\/worker\.ts\)/);
  });

  it('fails when the worker process no longer starts the declared consumer', async () => {
    const dir = await copy();
    await breakFile(dir, WORKER_RUNTIME, 'new Worker<JobData>(', 'createConsumer<JobData>(');
    const r = await enqueue202.run({ project: await ProjectContext.load(dir) });
    expect(r.status).toBe('fail');
    expect(r.evidence.map((e) => e.text).join('\n')).toMatch(/no `new Worker\(…\)` \(BullMQ\) reachable from src\/worker\.ts/);
  });

  it('another library: fails without its call in the worker process, passes once the worker reaches it', async () => {
    const dir = await copy();
    const before = await ProjectContext.load(dir);
    before.plan.jobConsumer = PG_BOSS;
    const failed = await enqueue202.run({ project: before });
    expect(failed.status).toBe('fail');
    expect(failed.evidence.map((e) => e.text).join('\n')).toMatch(/no `….work\(…\)` \(pg-boss\) reachable from src\/worker\.ts/);

    // In a file the API reaches but the worker does not: still no consumer in the worker process.
    await addFile(dir, 'src/jobs/boss.ts', BOSS);
    const unreachable = await ProjectContext.load(dir);
    unreachable.plan.jobConsumer = PG_BOSS;
    expect((await enqueue202.run({ project: unreachable })).status).toBe('fail');

    await breakFile(dir, 'src/worker.ts', /^/, "import './jobs/boss.js';\n");
    const after = await ProjectContext.load(dir);
    after.plan.jobConsumer = PG_BOSS;
    const passed = await enqueue202.run({ project: after });
    expect(passed.status).toBe('pass');
    expect(passed.evidence.map((e) => `${e.file}: ${e.text}`).join('\n')).toMatch(/src\/jobs\/boss\.ts: ….work\(…\) in the worker process/);
  });

  it('skips, saying why, when the plan declares no consumer', async () => {
    const project = await ProjectContext.load(acme);
    delete project.plan.jobConsumer;
    const r = await enqueue202.run({ project });
    expect(r.status).toBe('skip');
    expect(r.summary).toMatch(/declares no job consumer \(plan\.jobConsumer\)/);
  });
});
