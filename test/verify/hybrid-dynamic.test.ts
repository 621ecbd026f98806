/**
 * The hybrid blueprint's dynamic checks against the running project — the API, the relay and the
 * functions under `wrangler dev`, real PostgreSQL and Redis: its own hybrid.offload-roundtrip and the
 * shared dynamic.job-roundtrip and dynamic.job-accepted-without-worker, which judge the offloaded jobs
 * on their path (plan.handedOffJobs; the adapter's startHandedOff runs the relay and the functions).
 * They pass on a fresh, installed project (the built-in example: every job offloaded), and fail on
 * copies broken on purpose in different places of the offload path (each edit is restored afterwards).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generators/cli/main.js';
import { runVerify } from '../../generators/verify/run.js';
import type { CheckResult } from '../../generators/verify/types.js';
import { breakFile, evidenceText } from './helpers.js';

const ID = 'hybrid.offload-roundtrip';
const ROUNDTRIP = 'dynamic.job-roundtrip';
const ACCEPTED = 'dynamic.job-accepted-without-worker';
let project: string;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('run under node test/support/with-servers.js (DATABASE_URL is needed)');
  const root = await mkdtemp(path.join(tmpdir(), 'cba-verify-hyb-'));
  project = path.join(root, 'mixed');
  const out: string[] = [];
  const sink = { write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WritableStream;
  const code = await main(['new', project, '--blueprint', 'hybrid', '--yes', '--no-verify', '--no-git'], { invokedAs: 'backend-arch', stdout: sink, stderr: sink, interactive: false });
  if (code !== 0) throw new Error(`generate + install failed (${code}): ${out.join('')}`);
}, 600_000);

afterAll(async () => {
  if (project) await rm(path.dirname(project), { recursive: true, force: true });
});

async function checks(ids: string[]): Promise<Record<string, CheckResult>> {
  const report = await runVerify({ dir: project, only: ids });
  return Object.fromEntries(ids.map((id) => [id, report.results.find((r) => r.id === id)!]));
}

async function check(): Promise<CheckResult> {
  return (await checks([ID]))[ID]!;
}

/** Applies a breakage, runs the checks, restores every touched file. */
async function brokenAll(files: string[], breakIt: () => Promise<void>, ids: string[]): Promise<Record<string, CheckResult>> {
  const saved = await Promise.all(files.map(async (f) => [f, await readFile(path.join(project, f), 'utf8')] as const));
  try {
    await breakIt();
    return await checks(ids);
  } finally {
    for (const [f, text] of saved) await writeFile(path.join(project, f), text);
  }
}

/** A breakage judged by the hybrid's own round trip and the shared one (both follow the offloaded job). */
async function broken(files: string[], breakIt: () => Promise<void>): Promise<CheckResult> {
  const r = await brokenAll(files, breakIt, [ID, ROUNDTRIP]);
  const shared = r[ROUNDTRIP]!;
  expect(shared.status, `${ROUNDTRIP}: ${shared.summary}\n${evidenceText(shared)}`).toBe('fail');
  expect(evidenceText(shared)).toMatch(/export-project: not completed within 45 s; last GET \/jobs\/export-project\/\S+ .*"status":"(queued|active)"/);
  return r[ID]!;
}

describe(ID, () => {
  it('passes on the fresh project (with the shared job checks, which follow the offloaded job)', { timeout: 300_000 }, async () => {
    const all = await checks([ID, ROUNDTRIP, ACCEPTED]);
    for (const r of Object.values(all)) expect(r.status, `${r.id}: ${r.summary}\n${evidenceText(r)}`).toBe('pass');
    expect(evidenceText(all[ID]!)).toMatch(/export-project: POST → 202 → relay → ingress → function → completed in \d+ ms \(1 attempt/);
    expect(evidenceText(all[ROUNDTRIP]!)).toMatch(/export-project: GET \/jobs\/export-project\/\S+ .*"status":"completed".* \(handed off: the outbox → relay → functions\)/);
    expect(evidenceText(all[ACCEPTED]!)).toMatch(/export-project: POST \S+ → 202 in [\d, ]+ ms with no worker; job queued/);
  });

  it('fails when the relay signs with another secret (the Worker refuses every delivery)', { timeout: 300_000 }, async () => {
    const file = 'src/offload/relay.ts';
    const r = await broken([file], () => breakFile(project, file, "createHmac('sha256', secret)", "createHmac('sha256', `${secret}-rotated`)"));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/export-project: .* is \{"jobId".*"status":"queued".* after 60 s \(expected completed\)/);
  });

  it('fails when the ingress acknowledges without enqueueing', { timeout: 300_000 }, async () => {
    const file = 'functions/src/ingress.ts';
    const r = await broken([file], () => breakFile(project, file, '  await JOBS[message.job].producer(env).send(message);\n', ''));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/"status":"queued".* after 60 s/);
  });

  it('fails when the function never records the result', { timeout: 300_000 }, async () => {
    const file = 'functions/src/jobs/job-runs.ts';
    const r = await broken([file], () => breakFile(project, file, "sql`UPDATE job_runs SET status = 'completed', result = ${json(result)}::jsonb, error = NULL WHERE queue = ${queue} AND job_id = ${message.jobId}`", "sql`SELECT ${json(result)}::jsonb, ${queue}::text, ${message.jobId}::text`"));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/export-project: .* after 60 s \(expected completed\)/);
  });

  it('fails when the API accepts the job without an outbox row', { timeout: 300_000 }, async () => {
    const file = 'src/offload/outbox.ts';
    const r = await broken([file], () => breakFile(project, file, 'await tx.query(sql`INSERT INTO outbox (job, job_id, payload) VALUES (${job}, ${jobId}, ${json(message)}::jsonb)`);', 'void message;'));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/"status":"queued".* after 60 s/);
  });
});

describe(`${ACCEPTED} on the offloaded path fails when`, () => {
  const ROUTES = 'src/offload/routes.ts';
  const OUTBOX = 'src/offload/outbox.ts';
  const ANSWER = "      reply.code(202).header('location', accepted.statusUrl);";
  const accepted = async (files: string[], breakIt: () => Promise<void>) => (await brokenAll(files, breakIt, [ACCEPTED]))[ACCEPTED]!;

  it('the handler works before answering', { timeout: 300_000 }, async () => {
    const r = await accepted([ROUTES], () => breakFile(project, ROUTES, ANSWER, `      await new Promise((r) => setTimeout(r, 500));\n${ANSWER}`));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/export-project: POST \S+ answered 202 in \d+, \d+, \d+ ms \(median \d+ ms > 300 ms\)/);
  });

  it('the handler waits for the function to finish the job', { timeout: 300_000 }, async () => {
    const wait = `      for (;;) {\n        const { rows } = await app.db.query<{ status: string }>('SELECT status FROM job_runs WHERE job_id = $1', [accepted.jobId]);\n        if (rows[0]?.status === 'completed') break;\n        await new Promise((r) => setTimeout(r, 50));\n      }\n`;
    const r = await accepted([ROUTES], () => breakFile(project, ROUTES, ANSWER, `${wait}${ANSWER}`));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/export-project: POST \S+ with no worker running: no answer within 3000 ms/);
  });

  it('the API marks the job done itself instead of leaving it queued', { timeout: 300_000 }, async () => {
    const r = await accepted([OUTBOX], () => breakFile(project, OUTBOX, "VALUES (${job}, ${jobId}, ${entityId}, 'queued', 0)", "VALUES (${job}, ${jobId}, ${entityId}, 'completed', 1)"));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/export-project: with no worker the job is "completed" — something in the API process runs it/);
  });
});

/** The serverless blueprint's wrangler-config check, run on functions/ (plan.workerRoot): schema + dry-run bundle. */
describe('serverless.wrangler-config on functions/', () => {
  const CONFIG = 'serverless.wrangler-config';
  const WRANGLER = 'functions/wrangler.jsonc';
  const one = async (files: string[], breakIt: () => Promise<void>) => (await brokenAll(files, breakIt, [CONFIG]))[CONFIG]!;

  it('passes on the fresh project', { timeout: 300_000 }, async () => {
    const r = (await checks([CONFIG]))[CONFIG]!;
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
    expect(r.summary).toMatch(/^functions\/wrangler\.jsonc matches wrangler's schema; wrangler deploy --dry-run passes/);
  });

  it('fails on a value the schema refuses', { timeout: 300_000 }, async () => {
    const r = await one([WRANGLER], () => breakFile(project, WRANGLER, '"max_retries": 5,', '"max_retries": "five",'));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/functions\/wrangler\.jsonc:\d+ .*max_retries.* (must|should) be number/);
  });

  it('fails when the Worker entry does not bundle', { timeout: 300_000 }, async () => {
    const r = await one([WRANGLER], () => breakFile(project, WRANGLER, /"main": "[^"]+"/, '"main": "src/missing.ts"'));
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/wrangler deploy --dry-run exited [1-9]/);
  });
});
