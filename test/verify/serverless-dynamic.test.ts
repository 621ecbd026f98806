/**
 * The serverless blueprint's own dynamic checks against a real Worker (wrangler dev) and PostgreSQL:
 * one generated, installed project; each check passes on it, then each break-case edits it, runs that
 * check, and restores the files.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../generators/cli/main.js';
import { runVerify } from '../../generators/verify/run.js';
import type { CheckResult } from '../../generators/verify/types.js';
import { breakFile, evidenceText } from './helpers.js';

let project: string;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) throw new Error('run under node test/support/with-servers.js (DATABASE_URL is needed)');
  const root = await mkdtemp(path.join(tmpdir(), 'cba-verify-sls-'));
  project = path.join(root, 'fn-api');
  const out: string[] = [];
  const sink = { write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WritableStream;
  const code = await main(['new', project, '--blueprint', 'serverless', '--yes', '--no-verify', '--no-git'], { invokedAs: 'backend-arch', stdout: sink, stderr: sink, interactive: false });
  if (code !== 0) throw new Error(`generate + install failed (${code}): ${out.join('')}`);
}, 600_000);

afterAll(async () => {
  if (project) await rm(path.dirname(project), { recursive: true, force: true });
});

/** Runs checks (dynamic ones included) and returns the result of `id`. */
async function check(id: string, before: string[] = []): Promise<CheckResult> {
  const report = await runVerify({ dir: project, only: [...before, id] });
  return report.results.find((r) => r.id === id)!;
}

/** Applies a breakage, runs `fn`, and restores every touched file. */
async function broken(files: string[], breakIt: () => Promise<void>, fn: () => Promise<void>): Promise<void> {
  const saved = await Promise.all(files.map(async (f) => [f, await readFile(path.join(project, f), 'utf8')] as const));
  try {
    await breakIt();
    await fn();
  } finally {
    for (const [f, text] of saved) await writeFile(path.join(project, f), text);
  }
}

const WRANGLER = 'wrangler.jsonc';
// The consumer's idempotency is judged after dynamic.api-walk, which creates the rows the jobs run on.
const IDEMPOTENT = ['serverless.consumer-idempotent', ['dynamic.api-walk']] as const;

describe('serverless.wrangler-config', () => {
  it('passes on the fresh project', { timeout: 300_000 }, async () => {
    const r = await check('serverless.wrangler-config');
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
  });

  it('fails on a value of the wrong type (schema)', { timeout: 300_000 }, async () => {
    await broken([WRANGLER], () => breakFile(project, WRANGLER, '"max_batch_size": 10,', '"max_batch_size": "ten",'), async () => {
      const r = await check('serverless.wrangler-config');
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/wrangler\.jsonc:\d+ \/queues\/consumers\/0\/max_batch_size .*number/);
    });
  });

  it('fails on a key wrangler does not know (schema)', { timeout: 300_000 }, async () => {
    await broken([WRANGLER], () => breakFile(project, WRANGLER, '"hyperdrive": [', '"hyperdrives": [],\n  "hyperdrive": ['), async () => {
      const r = await check('serverless.wrangler-config');
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/additional properties.*hyperdrives/i);
    });
  });

  it('fails when the dry-run deploy fails (the entry does not exist)', { timeout: 300_000 }, async () => {
    await broken([WRANGLER], () => breakFile(project, WRANGLER, '"main": "src/index.ts",', '"main": "src/missing.ts",'), async () => {
      const r = await check('serverless.wrangler-config');
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/wrangler deploy --dry-run exited [1-9]/);
    });
  });

  it('fails on a configuration that does not parse', { timeout: 300_000 }, async () => {
    await broken([WRANGLER], () => breakFile(project, WRANGLER, '"name": "fn-api",', '"name": "fn-api" "oops": 1,'), async () => {
      const r = await check('serverless.wrangler-config');
      expect(r.status).toBe('fail');
      expect(r.summary).toMatch(/wrangler\.jsonc does not parse/);
    });
  });
});

describe('serverless.consumer-idempotent', () => {
  it('passes on the fresh project', { timeout: 300_000 }, async () => {
    const r = await check(IDEMPOTENT[0], [...IDEMPOTENT[1]]);
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
  });

  it('fails when a delivery of a completed job claims it again (the work runs twice)', { timeout: 300_000 }, async () => {
    const file = 'src/jobs/job-runs.ts';
    await broken([file], () => breakFile(project, file, "AND (status IN ('queued', 'failed') OR (status = 'active' AND updated_at < now() - make_interval(secs => ${timeoutMs / 1000})))", ''), async () => {
      const r = await check(IDEMPOTENT[0], [...IDEMPOTENT[1]]);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/the second delivery ran the work again — attempts 1 → 2/);
    });
  });

  it('fails when the consumer does not look at the job state at all', { timeout: 300_000 }, async () => {
    const file = 'src/jobs/consumer.ts';
    await broken([file], () => breakFile(project, file, 'const claimed = await claim(db, job.name, message.body, job.timeoutMs);', 'const claimed: Awaited<ReturnType<typeof claim>> = { claimed: true, attempts: message.attempts };'), async () => {
      const r = await check(IDEMPOTENT[0], [...IDEMPOTENT[1]]);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/never reported receiving the second delivery|ran the work again/);
    });
  });
});

// Shared dynamic checks parameterised for the Worker: the job round trip finds the queue consumer in the
// same Worker (the adapter's jobProcess: 'api').
describe('dynamic.job-roundtrip on a Worker', () => {
  it('passes on the fresh project: 202, then completed by the queue handler', { timeout: 300_000 }, async () => {
    const r = await check('dynamic.job-roundtrip');
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
  });

  it('fails when the queue handler acknowledges without running the job', { timeout: 300_000 }, async () => {
    const FILE = 'src/jobs/consumer.ts';
    await broken([FILE], () => breakFile(project, FILE, /await processMessage\(db, env, work, message, [^;]*;/, 'message.ack();'), async () => {
      const r = await check('dynamic.job-roundtrip');
      expect(r.status).toBe('fail');
      expect(r.summary).toMatch(/not accepted or not completed/);
    });
  });

  it('fails when the job route waits and answers 200 instead of 202', { timeout: 300_000 }, async () => {
    const FILE = 'src/jobs/routes.ts';
    await broken([FILE], () => breakFile(project, FILE, 'return json(202, { jobId, status: \'queued\', statusUrl: url }, { location: url });', 'return json(200, { jobId, status: \'queued\', statusUrl: url }, { location: url });'), async () => {
      const r = await check('dynamic.job-roundtrip');
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/expected 202 with a statusUrl/);
    });
  });
});

// The Worker's data points, observed: its METRICS Analytics Engine binding replaced by a service binding to a
// recorder Worker beside it (the adapter's recordMetrics; wrangler's local simulator discards points).
describe('dynamic.metrics-series on a Worker', () => {
  const METRICS = 'src/observability/metrics.ts';
  const REQUEST_POINT = 'doubles: [durationMs, status],';

  it('passes on the fresh project: each request writes the data point the alert rules read', { timeout: 300_000 }, async () => {
    const r = await check('dynamic.metrics-series');
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
    expect(r.summary).toMatch(/replaced by a service binding to a recorder Worker/);
    expect(evidenceText(r)).toMatch(/HighErrorRate: double2 held each answer's status \(200, 200, 404, 401\)/);
  });

  it('fails when requests write no data point', { timeout: 300_000 }, async () => {
    await broken([METRICS], () => breakFile(project, METRICS, /env\.METRICS\.writeDataPoint\(\{\s*indexes: \['request'\][\s\S]*?\}\);\n/, 'void [env, method, route, status, durationMs];\n'), async () => {
      const r = await check('dynamic.metrics-series');
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/alert HighErrorRate reads fn_api_events data points of kind 'request', and the requests wrote none/);
    });
  });

  it('fails when the status and the duration trade places', { timeout: 300_000 }, async () => {
    await broken([METRICS], () => breakFile(project, METRICS, REQUEST_POINT, 'doubles: [status, durationMs],'), async () => {
      const r = await check('dynamic.metrics-series');
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/compares double2 with 500 \(5xx\), but the data points do not carry the statuses answered/);
    });
  });

  it('fails when every request is recorded as a 200', { timeout: 300_000 }, async () => {
    await broken([METRICS], () => breakFile(project, METRICS, REQUEST_POINT, 'doubles: [durationMs, 200],'), async () => {
      const r = await check('dynamic.metrics-series');
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/sent 200, 200, 404, 401, double2 recorded 200, 200, 200, 200/);
    });
  });

  it('fails when the latency column holds a timestamp instead of the duration', { timeout: 300_000 }, async () => {
    await broken([METRICS], () => breakFile(project, METRICS, REQUEST_POINT, 'doubles: [Date.now(), status],'), async () => {
      const r = await check('dynamic.metrics-series');
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/alert SlowResponses reads double1 as the latency, but recorded values .* are not durations/);
    });
  });
});

// PostgreSQL, the Worker's one dependency, cut on a relay between wrangler's local Hyperdrive proxy and the
// database (the adapter's readinessDependency: 'postgresql'): accepted and never answered, as in a partition.
describe('dynamic.readiness on a Worker', () => {
  const HEALTH = 'src/http/health.ts';
  const QUERY = "        const db = await ctx.db();\n        await db.query(sql`SELECT 1`);\n";

  it('passes on the fresh project: 200 with a query on the wire, 503 problem+json while PostgreSQL is unreachable, 200 again', { timeout: 300_000 }, async () => {
    const r = await check('dynamic.readiness');
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
    expect(Number(r.figures?.queries)).toBeGreaterThan(0);
  });

  it('fails when readiness answers 200 without asking the database', { timeout: 300_000 }, async () => {
    await broken([HEALTH], () => breakFile(project, HEALTH, QUERY, '        void sql;\n'), async () => {
      const r = await check('dynamic.readiness');
      expect(r.status).toBe('fail');
      expect(r.summary).toMatch(/readiness answers 200 without querying PostgreSQL/);
    });
  });

  it('fails when readiness only opens a connection (no query reaches PostgreSQL)', { timeout: 300_000 }, async () => {
    await broken([HEALTH], () => breakFile(project, HEALTH, QUERY, '        await ctx.db();\n        void sql;\n'), async () => {
      const r = await check('dynamic.readiness');
      expect(r.status).toBe('fail');
      expect(r.summary).toMatch(/without querying PostgreSQL/);
    });
  });

  it('fails when readiness swallows the database error and stays 200', { timeout: 300_000 }, async () => {
    await broken([HEALTH], () => breakFile(project, HEALTH, /return problemResponse\(\s*503,[\s\S]*?\);\n/, "return json(200, { status: 'ok' });\n"), async () => {
      const r = await check('dynamic.readiness');
      expect(r.status).toBe('fail');
      expect(r.summary).toMatch(/readiness stays 200 with PostgreSQL unreachable/);
    });
  });

  it('fails when the 503 is not problem+json', { timeout: 300_000 }, async () => {
    await broken([HEALTH], () => breakFile(project, HEALTH, /return problemResponse\(\s*503,[\s\S]*?\);\n/, "return new Response('not ready', { status: 503 });\n"), async () => {
      const r = await check('dynamic.readiness');
      expect(r.status).toBe('fail');
      expect(r.summary).toMatch(/the 503 is not problem\+json/);
    });
  });

  it('fails when nothing bounds the connection attempt (readiness hangs while PostgreSQL does not answer)', { timeout: 300_000 }, async () => {
    const POOL = 'src/db/pool.ts';
    await broken([POOL], () => breakFile(project, POOL, '    connectionTimeoutMillis: 5000,\n', ''), async () => {
      const r = await check('dynamic.readiness');
      expect(r.status).toBe('fail');
      expect(r.summary).toMatch(/readiness does not answer while PostgreSQL is unreachable/);
    });
  });
});

// The same bounded load as for the monolith, on wrangler dev on this machine: its latency is measured and reported,
// not judged against the edge's target (the adapter's judgesLatency: false, runsOn named in the verdict); errors fail.
describe('dynamic.load-p95 on a Worker', () => {
  const TEAM = 'src/modules/team/handlers.ts';
  const READ = 'async function read(ctx: RequestContext, { params: { id } }: RouteInput<typeof SCHEMAS.read>): Promise<Response> {\n';

  it('measures for real: a read that takes 150 ms shows in the reported p95, not judged, naming wrangler dev', { timeout: 300_000 }, async () => {
    await broken([TEAM], () => breakFile(project, TEAM, READ, `${READ}  await scheduler.wait(150);\n`), async () => {
      const r = await check('dynamic.load-p95');
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('skip');
      expect(r.summary).toMatch(/^measured, not judged: p95 \d+(\.\d)? ms, .* — measured on wrangler dev 4\.86 .*not the edge/);
      expect(Number(r.figures?.p95ms)).toBeGreaterThanOrEqual(150);
      expect(r.notRun).toBeUndefined();
    });
  });

  it('fails when the read answers errors under load', { timeout: 300_000 }, async () => {
    await broken([TEAM], () => breakFile(project, TEAM, READ, `${READ}  if (Math.random() < 0.2) return json(503, { busy: true });\n`), async () => {
      const r = await check('dynamic.load-p95');
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('fail');
      expect(r.summary).toMatch(/the load run had [1-9]\d* non-2xx answers/);
    });
  });
});
