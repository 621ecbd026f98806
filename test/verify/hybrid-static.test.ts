/**
 * The hybrid blueprint's own static checks (the offload path): each passes on fresh projects from two
 * specs (the built-in example, every job offloaded; shop-hybrid.yaml, one job kept on the worker) and
 * on a copy whose names and files were changed without changing the property, and fails — naming the
 * file and the problem — on copies broken on purpose in several different ways.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakFile, checkOnCopy, evidenceText, expectPassOnEach, generate, generateExampleAndSpec, removeProject, runCheck } from './helpers.js';

const OWN_STATIC = ['hybrid.offload-outbox', 'hybrid.relay-delivery', 'hybrid.ingress-verifies'];
const OUTBOX = 'src/offload/outbox.ts';
const ROUTES = 'src/offload/routes.ts';
const RELAY = 'src/offload/relay.ts';
const INGRESS = 'functions/src/ingress.ts';
const OUTBOX_INSERT = 'await tx.query(sql`INSERT INTO outbox (job, job_id, payload) VALUES (${job}, ${jobId}, ${json(message)}::jsonb)`);';

let acme: string;
let shop: string;

beforeAll(async () => {
  [acme, shop] = await generateExampleAndSpec('mixed', 'shop-hybrid.yaml', ['--blueprint', 'hybrid']);
});

afterAll(async () => {
  await Promise.all([acme, shop].filter(Boolean).map(removeProject));
});

describe('fresh hybrid projects', () => {
  for (const id of OWN_STATIC)
    it(`${id} passes on the built-in example and on shop-hybrid.yaml`, async () => {
      await expectPassOnEach([acme, shop], id);
    });

  it('a renamed accept function in a moved file, and a renamed signing helper, still pass (the checks read code, not our names)', async () => {
    const edit = async (d: string) => {
      await rename(path.join(d, OUTBOX), path.join(d, 'src/offload/accept-job.ts'));
      await breakFile(d, 'src/offload/accept-job.ts', 'export async function offload(', 'export async function acceptIntoOutbox(');
      await breakFile(d, ROUTES, "import { offload } from './outbox.js';", "import { acceptIntoOutbox } from './accept-job.js';");
      await breakFile(d, ROUTES, 'await offload(app.db,', 'await acceptIntoOutbox(app.db,');
      for (const file of [RELAY, 'src/offload/metrics.ts']) {
        const text = await readFile(path.join(d, file), 'utf8');
        await writeFile(path.join(d, file), text.replaceAll("from './outbox.js'", "from './accept-job.js'"));
      }
      await breakFile(d, RELAY, 'export function sign(', 'export function hmacOf(');
      await breakFile(d, RELAY, '[SIGNATURE_HEADER]: sign(', '[SIGNATURE_HEADER]: hmacOf(');
    };
    for (const id of ['hybrid.offload-outbox', 'hybrid.relay-delivery']) {
      const r = await checkOnCopy(shop, edit, id);
      expect(r.status, `${id}: ${r.summary}\n${evidenceText(r)}`).toBe('pass');
    }
  });

  it('a spec with every job kept on the container: the offload checks skip, saying why', async () => {
    const dir = await generate('kept', ['--blueprint', 'hybrid', '--spec', await keptSpec()]);
    try {
      for (const id of OWN_STATIC) {
        const r = await runCheck(dir, id);
        expect(r.status).toBe('skip');
        expect(r.summary).toMatch(/offloaded/);
      }
    } finally {
      await removeProject(dir);
    }
  });
});

async function keptSpec(): Promise<string> {
  const text = await readFile('test/fixtures/specs/shop-hybrid.yaml', 'utf8');
  const file = path.join(path.dirname(shop), 'kept.yaml');
  await writeFile(file, text.replace('description: Sends the receipt of one order (in a function). }', 'runtime: container }'));
  return file;
}

describe('hybrid.offload-outbox fails on', () => {
  const id = 'hybrid.offload-outbox';
  it('an outbox row written after the transaction that wrote the job_runs row', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, OUTBOX, OUTBOX_INSERT, '');
        await breakFile(d, OUTBOX, '  return { jobId, status, statusUrl:', '  await db.query(sql`INSERT INTO outbox (job, job_id, payload) VALUES (${job}, ${jobId}, ${json(message)}::jsonb)`);\n  return { jobId, status, statusUrl:');
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/offload\/outbox\.ts:\d+ export-project: the outbox row is not written in the same transaction/);
  });
  it('no outbox row at all', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, OUTBOX, OUTBOX_INSERT, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/never writes an outbox row/);
  });
  it('a handler that calls the functions itself', async () => {
    const r = await checkOnCopy(
      shop,
      (d) => breakFile(d, ROUTES, '      const accepted = await offload(', "      await fetch('http://127.0.0.1:8787/ingress', { method: 'POST' });\n      const accepted = await offload("),
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/offload\/routes\.ts:\d+ send-receipt: fetch\(.*the request path calls the functions or a queue itself/);
  });
  it("an offloaded job's POST route missing", async () => {
    const r = await checkOnCopy(shop, (d) => breakFile(d, ROUTES, "'/orders/:id/jobs/send-receipt'", "'/orders/:id/jobs/receipt'"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/send-receipt: no POST \/orders\/:id\/jobs\/send-receipt route/);
  });
});

describe('hybrid.relay-delivery fails on', () => {
  const id = 'hybrid.relay-delivery';
  it('a claim without SKIP LOCKED', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, RELAY, 'FOR UPDATE SKIP LOCKED\n', 'FOR UPDATE\n'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/FOR UPDATE SKIP LOCKED reachable from the relay/);
  });
  it('unsigned deliveries', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, RELAY, '      [SIGNATURE_HEADER]: sign(settings.signingSecret, timestamp, body),\n', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/offload\/relay\.ts:\d+ the delivery carries no signature header/);
  });
  it('a signature header that is not an HMAC', async () => {
    const r = await checkOnCopy(shop, (d) => breakFile(d, RELAY, '[SIGNATURE_HEADER]: sign(settings.signingSecret, timestamp, body)', '[SIGNATURE_HEADER]: String(settings.signingSecret.length)'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/no signature header/);
  });
  it('a failed delivery retried at once (no backoff)', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, RELAY, ', next_attempt_at = now() + make_interval(secs => ${delay / 1000})', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/is not rescheduled/);
  });
  it('delivered rows never marked sent', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, RELAY, 'UPDATE outbox SET sent_at = now(), attempts', 'UPDATE outbox SET attempts'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/delivered rows are never marked/);
  });
  it('no relay process to run', async () => {
    const r = await checkOnCopy(shop, (d) => breakFile(d, 'package.json', '"start:relay": "node dist/relay.js"', '"start:relay": "echo none"'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/package\.json .*start:relay/);
  });
});

describe('hybrid.ingress-verifies fails on', () => {
  const id = 'hybrid.ingress-verifies';
  const SEND = '  await JOBS[message.job].producer(env).send(message);\n';
  it('an enqueue before the signature check', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, INGRESS, SEND, '');
        await breakFile(d, INGRESS, '  if (!(await verifySignature(', '  await JOBS[JSON.parse(body).job as JobName].producer(env).send(JSON.parse(body));\n  if (!(await verifySignature(');
        await breakFile(d, INGRESS, 'import { isJobName, JOBS, type JobMessage }', 'import { isJobName, JOBS, type JobMessage, type JobName }');
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/functions\/src\/ingress\.ts:\d+ handleIngress: .*send\(.* is not preceded by a signature check/);
  });
  it('a signature compared without a constant-time check', async () => {
    const r = await checkOnCopy(shop, (d) => breakFile(d, INGRESS, /return crypto\.subtle\.verify\('HMAC', key, mac, [^;]+;/, "return signature === `sha256=${String(key)}${String(mac.length)}`;"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/not preceded by a signature check that returns early/);
  });
  it('no signature check at all', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, INGRESS, /  if \(!\(await verifySignature\([^]*?\n  \}\n/, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/handleIngress/);
  });
});

/**
 * The shared async.enqueue-202 and the hybrid's async.job-options judge the offloaded jobs on their own
 * path (plan.handedOffJobs: the outbox, the relay, the functions' queues) instead of skipping them.
 */
describe('job checks on the offloaded path', () => {
  const WRANGLER = 'functions/wrangler.jsonc';
  const CONSUMER = 'functions/src/jobs/consumer.ts';
  for (const id of ['async.enqueue-202', 'async.job-options'])
    it(`${id} passes on both fresh projects, judging the offloaded jobs`, async () => {
      for (const r of await expectPassOnEach([acme, shop], id)) {
        expect(evidenceText(r)).toMatch(id === 'async.enqueue-202' ? /SELECT … FROM outbox … FOR UPDATE SKIP LOCKED in the process that takes (export-project|send-receipt) \(src\/relay\.ts\)/ : /max_retries \d+, dead letters to .*-dlq \(consumed\)/);
      }
      // shop-hybrid keeps settle-order on the worker: that job is judged the monolith's way beside it.
      expect(evidenceText(await runCheck(shop, id))).toMatch(id === 'async.enqueue-202' ? /new Worker\(…\) in the worker process/ : /settle-order: attempts 3, backoff exponential/);
    });

  it('async.job-options still passes with the backoff helpers renamed and moved (it follows the code)', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, RELAY, 'export function backoffMs(', 'export function nextDelay(');
        const text = await readFile(path.join(d, RELAY), 'utf8');
        await writeFile(path.join(d, RELAY), text.replaceAll('backoffMs(settings.', 'nextDelay(settings.'));
        await breakFile(d, CONSUMER, '    const delaySeconds = backoffSeconds(backoffBaseMs, message.attempts);', '    const wait = backoffSeconds(backoffBaseMs, message.attempts);');
        await breakFile(d, CONSUMER, '    message.retry({ delaySeconds });', '    message.retry({ delaySeconds: wait });');
        await breakFile(d, CONSUMER, '      delaySeconds,\n', '      delaySeconds: wait,\n');
      },
      'async.job-options',
    );
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
  });

  describe('async.enqueue-202 fails on', () => {
    const id = 'async.enqueue-202';
    it('an offloaded job answered 200 instead of 202', async () => {
      const r = await checkOnCopy(acme, (d) => breakFile(d, ROUTES, 'reply.code(202)', 'reply.code(200)'), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/src\/offload\/routes\.ts:\d+ POST \/projects\/:id\/jobs\/export-project: the handler never answers 202/);
    });
    it('a relay that claims no outbox rows (no SKIP LOCKED claim)', async () => {
      const r = await checkOnCopy(shop, (d) => breakFile(d, RELAY, 'FOR UPDATE SKIP LOCKED\n', '\n'), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/no `SELECT … FROM outbox … FOR UPDATE SKIP LOCKED` \(outbox relay\) reachable from src\/relay\.ts: nothing takes send-receipt/);
    });
    it('start:relay running the API instead of the relay', async () => {
      const r = await checkOnCopy(acme, (d) => breakFile(d, 'package.json', '"start:relay": "node dist/relay.js"', '"start:relay": "node dist/main.js"'), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/reachable from src\/main\.ts: nothing takes export-project/);
    });
  });

  describe('async.job-options fails on', () => {
    const id = 'async.job-options';
    it('a queue retried fewer times than the spec says', async () => {
      const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, '"max_retries": 5,', '"max_retries": 1,'), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/functions\/wrangler\.jsonc:\d+ export-project: max_retries is 1, the spec declares 5 retries/);
    });
    it('no dead-letter queue', async () => {
      const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, /\n\s*"dead_letter_queue": "mixed-export-project-dlq",?/, ''), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/export-project: no dead_letter_queue/);
    });
    it('a consumer retry with a constant delay', async () => {
      const r = await checkOnCopy(shop, (d) => breakFile(d, CONSUMER, 'const delaySeconds = backoffSeconds(backoffBaseMs, message.attempts);', 'const delaySeconds = 30;'), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/functions\/src\/jobs\/consumer\.ts:\d+ message\.retry\(\{ delaySeconds \}\): the delay does not grow exponentially/);
    });
    it('a relay that retries a failed delivery after a constant delay', async () => {
      const r = await checkOnCopy(acme, (d) => breakFile(d, RELAY, 'const delay = backoffMs(settings.backoffBaseMs, failures);', 'const delay = settings.backoffBaseMs;'), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/src\/offload\/relay\.ts:\d+ the relay reschedules a failed delivery by a delay that does not grow exponentially/);
    });
    it('a relay that never gives up on an undeliverable row', async () => {
      const r = await checkOnCopy(shop, (d) => breakFile(d, RELAY, 'sql`UPDATE outbox SET failed_at = now(), attempts = ${failures}, last_error = ${message} WHERE id = ${row.id}`', 'sql`UPDATE outbox SET attempts = ${failures}, last_error = ${message} WHERE id = ${row.id}`'), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/the relay never gives up on a row/);
    });
    it("the container job's failed jobs discarded (shop-hybrid: the monolith's judgement still applies)", async () => {
      const r = await checkOnCopy(shop, (d) => breakFile(d, 'src/jobs/definitions.ts', 'removeOnFail: false,', 'removeOnFail: true,'), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/settle-order: removeOnFail: true discards failed jobs/);
    });
  });
});

/**
 * The serverless blueprint's static checks run on the functions half: the hybrid's plan says the
 * Worker lives under functions/ (plan.workerRoot), and they read its wrangler.jsonc and src/ there.
 */
describe("the serverless blueprint's checks on functions/", () => {
  const WRANGLER = 'functions/wrangler.jsonc';
  const CONTEXT = 'functions/src/http/context.ts';
  const SERVERLESS_STATIC = ['serverless.queues-dead-letter', 'serverless.db-through-proxy'];
  for (const id of SERVERLESS_STATIC)
    it(`${id} passes on both fresh projects, reading functions/`, async () => {
      for (const r of await expectPassOnEach([acme, shop], id)) {
        expect(evidenceText(r)).toMatch(/^functions\//m);
      }
    });

  it('they skip, saying why, when no job is offloaded', async () => {
    const dir = await generate('kept', ['--blueprint', 'hybrid', '--spec', await keptSpec()]);
    try {
      for (const id of SERVERLESS_STATIC) {
        const r = await runCheck(dir, id);
        expect(r.status).toBe('skip');
        expect(r.summary).toMatch(/no job is offloaded/);
      }
    } finally {
      await removeProject(dir);
    }
  });

  describe('serverless.queues-dead-letter fails on', () => {
    const id = 'serverless.queues-dead-letter';
    it("a dead-letter queue nobody consumes (functions/wrangler.jsonc)", async () => {
      const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, /,\n\s*\{\n\s*"queue": "mixed-export-project-dlq",[^}]*\}/, ''), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/functions\/wrangler\.jsonc:\d+ dead-letter queue mixed-export-project-dlq of mixed-export-project has no consumer/);
    });
    it('unbounded retries', async () => {
      const r = await checkOnCopy(shop, (d) => breakFile(d, WRANGLER, '"max_retries": 2,', ''), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/consumer of shop-hybrid-send-receipt: max_retries not set/);
    });
  });

  describe('serverless.db-through-proxy fails on', () => {
    const id = 'serverless.db-through-proxy';
    it('no hyperdrive binding in functions/wrangler.jsonc', async () => {
      const r = await checkOnCopy(acme, (d) => breakFile(d, WRANGLER, /\n\s*"hyperdrive": \[[^\]]*\],/, ''), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/functions\/wrangler\.jsonc no hyperdrive binding/);
    });
    it('a function that connects with DATABASE_URL', async () => {
      const r = await checkOnCopy(shop, (d) => breakFile(d, CONTEXT, 'connectionString: env.HYPERDRIVE.connectionString,', "connectionString: (env as unknown as Record<string, string>)['DATABASE_URL'],"), id);
      expect(r.status).toBe('fail');
      expect(evidenceText(r)).toMatch(/functions\/src\/http\/context\.ts:\d+ reads DATABASE_URL/);
    });
  });
});
