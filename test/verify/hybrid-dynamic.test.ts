/**
 * The hybrid blueprint's dynamic check against the running project — the API, the relay and the
 * functions under `wrangler dev`, real PostgreSQL and Redis: it passes on a fresh, installed project
 * (the built-in example), and fails on copies broken on purpose in four different places of the
 * offload path (each edit is restored afterwards).
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

async function check(): Promise<CheckResult> {
  const report = await runVerify({ dir: project, only: [ID] });
  return report.results.find((r) => r.id === ID)!;
}

/** Applies a breakage, runs the check, restores every touched file. */
async function broken(files: string[], breakIt: () => Promise<void>): Promise<CheckResult> {
  const saved = await Promise.all(files.map(async (f) => [f, await readFile(path.join(project, f), 'utf8')] as const));
  try {
    await breakIt();
    return await check();
  } finally {
    for (const [f, text] of saved) await writeFile(path.join(project, f), text);
  }
}

describe(ID, () => {
  it('passes on the fresh project', { timeout: 300_000 }, async () => {
    const r = await check();
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
    expect(evidenceText(r)).toMatch(/export-project: POST → 202 → relay → ingress → function → completed in \d+ ms \(1 attempt/);
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
    const r = await broken([file], () => breakFile(project, file, "sql`UPDATE job_runs SET status = 'completed', result = ${json(result)}::jsonb, error = NULL WHERE queue = ${queue} AND job_id = ${jobId}`", "sql`SELECT ${json(result)}::jsonb, ${queue}::text, ${jobId}::text`"));
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
