/**
 * The serverless blueprint's own static checks: each passes on fresh projects from two specs, and
 * fails — naming the file and the problem — on copies broken on purpose in several different ways.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakFile, checkOnCopy, evidenceText, expectPassOnEach, generateExampleAndSpec, removeProject } from './helpers.js';

const OWN_STATIC = ['serverless.queues-dead-letter', 'serverless.no-await-job', 'serverless.db-through-proxy', 'serverless.alerts'];

let acme: string;
let shop: string;

beforeAll(async () => {
  [acme, shop] = await generateExampleAndSpec('fn-api', 'shop.yaml', ['--blueprint', 'serverless']);
});

afterAll(async () => {
  await Promise.all([acme, shop].filter(Boolean).map(removeProject));
});

describe('fresh serverless projects', () => {
  for (const id of OWN_STATIC)
    it(`${id} passes on the built-in example and on shop.yaml`, async () => {
      await expectPassOnEach([acme, shop], id);
    });
});

const WRANGLER = 'wrangler.jsonc';

describe('serverless.queues-dead-letter fails on', () => {
  const id = 'serverless.queues-dead-letter';
  it('a work queue without a dead-letter queue', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, /\s*"dead_letter_queue": "fn-api-export-project-dlq",/, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/no dead_letter_queue/);
  });
  it('a consumer without max_retries', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, '"max_retries": 5,', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/wrangler\.jsonc:\d+ consumer of fn-api-export-project: max_retries not set/);
  });
  it('unbounded retries', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, '"max_retries": 5,', '"max_retries": 1000,'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/max_retries 1000/);
  });
  it('a dead-letter queue nobody consumes', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, /,\s*\{\s*"queue": "fn-api-export-project-dlq",[^}]*\}/, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/fn-api-export-project-dlq of fn-api-export-project has no consumer/);
  });
  it('a queue the Worker sends to that nobody consumes', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, '"queue": "fn-api-export-project",\n      },', '"queue": "fn-api-orphan",\n      },'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/queue fn-api-orphan .* has no consumer/);
  });
});

describe('serverless.no-await-job fails on', () => {
  const id = 'serverless.no-await-job';
  const ROUTES = 'src/jobs/routes.ts';
  it('a route that runs the job definition inline', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ROUTES, "await JOBS[name].producer(ctx.env).send(message, { contentType: 'json' });", 'await JOBS[name].run(db, message);'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/jobs\/routes\.ts:\d+ JOBS\[name\]\.run\(db, message\): runs a job definition's work/);
  });
  it("a handler that imports the job's processor and awaits it", async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, ROUTES, "import type { RequestContext } from '../http/context.js';", "import type { RequestContext } from '../http/context.js';\nimport { processExportProject } from './export-project.js';");
        await breakFile(d, ROUTES, '  const url = statusUrl(name, jobId);', '  await processExportProject(db, { jobId, job: name, entityId, requestedBy: null, requestId: ctx.id });\n  const url = statusUrl(name, jobId);');
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/processExportProject\(db.*runs a job's work on the request path/);
  });
  it('a handler that calls the queue handler with a synthetic batch', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, 'src/http/health.ts', "import { sql } from '../db/sql.js';", "import { sql } from '../db/sql.js';\nimport { handleQueueBatch } from '../jobs/consumer.js';");
        await breakFile(d, 'src/http/health.ts', "handler: async () => json(200, { status: 'ok' })", "handler: async (ctx) => (await handleQueueBatch({ messages: [], queue: 'x' } as never, ctx.env), json(200, { status: 'ok' }))");
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/calls the queue handler from the request path/);
  });
});

describe('serverless.db-through-proxy fails on', () => {
  const id = 'serverless.db-through-proxy';
  it('a client opened on DATABASE_URL', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/http/context.ts', 'connectionString: env.HYPERDRIVE.connectionString,', "connectionString: (env as unknown as Record<string, string>)['DATABASE_URL'] ?? '',"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/reads DATABASE_URL/);
    expect(evidenceText(r)).toMatch(/connect\(.*the connection string is not the Hyperdrive binding's/);
  });
  it('a PostgreSQL URL written into the code', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, 'src/http/health.ts', "import { sql } from '../db/sql.js';", "import pg from 'pg';\nimport { sql } from '../db/sql.js';");
        await breakFile(d, 'src/http/health.ts', 'const db = await ctx.db();', "const db = new pg.Client('postgres://app:secret@db.internal:5432/app');\n        await db.connect();");
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/http\/health\.ts:\d+ a PostgreSQL URL/);
  });
  it('a client with its own host and port', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, 'src/http/health.ts', "import { sql } from '../db/sql.js';", "import { Client } from 'pg';\nimport { sql } from '../db/sql.js';");
        await breakFile(d, 'src/http/health.ts', 'const db = await ctx.db();', "const db = new Client({ host: 'db.internal', port: 5432, user: 'app' });");
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/with its own host\/port: bypasses Hyperdrive/);
  });
  it('a configuration without the hyperdrive binding', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, /"hyperdrive": \[[^\]]*\],/, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/no hyperdrive binding/);
  });
});

describe('serverless.alerts fails on', () => {
  const id = 'serverless.alerts';
  const ALERTS = 'monitoring/alerts.yml';
  it('an error-rate threshold above 1%', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, 'params: [0.01]', 'params: [0.05]'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/error rate .*HighErrorRate fires on gt 0\.05/);
  });
  it('a p95 rule that waits too long', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, /(title: SlowResponses\n\s+condition: THRESHOLD\n\s+for: )10m/, '$130m'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/p95 latency .*SlowResponses .* for 30m/);
  });
  it('no dead-letter alert', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, /\n {6}- uid: 'deadletters'[\s\S]*?(?=\n {6}- uid:)/, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/dead-letter depth > 0: no alert rule/);
  });
  it('no alert rules at all', async () => {
    const r = await checkOnCopy(acme, (d) => rm(path.join(d, ALERTS)), id);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/monitoring\/alerts\.yml is missing/);
  });
});
