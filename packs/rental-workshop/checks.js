// @ts-check
/**
 * The rental workshop's checks, one or two per exercise, written against the same Check API as the
 * built-in checklist (create-backend-arch's generators/verify/types.ts): an id, a title, the exercise
 * it grades, its kind, and run(ctx) → pass / fail / skip with evidence and, on failure, a hint.
 * They judge properties of the running project (the plan PostgreSQL picks, what the endpoint answers,
 * what the limiter does), not the shape of the files the pack generated: any correct solution passes.
 */
import { randomBytes } from 'node:crypto';

/** Rows the overdue query is planned over: enough that reading the whole table is the expensive plan. */
const RENTALS = 50_000;
/** The exercise's limit: rental creations one user may make per minute. */
const CREATIONS_PER_MINUTE = 5;
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {import('../../generators/blueprints/contract.js').PackCheckKit} kit
 * @returns {import('../../generators/blueprints/contract.js').PackCheck[]}
 */
export default function checks(kit) {
  const { pass, fail, cannotRun } = kit;

  /**
   * Runs a dynamic check's body with the verify Runtime, or says why it could not run (never a pass).
   * @param {import('../../generators/blueprints/contract.js').CheckContext} ctx
   * @param {(rt: import('../../generators/blueprints/contract.js').Runtime) => Promise<import('../../generators/blueprints/contract.js').CheckOutcome>} body
   */
  async function live(ctx, body) {
    const rt = ctx.runtime;
    if (!rt) return cannotRun('dynamic checks are off (--static)', 'run verify without --static');
    const why = await rt.unavailable();
    if (why) return cannotRun(`skipped: ${why.reason}`, why.fix);
    return body(rt);
  }

  return [
    {
      id: 'rental-workshop.overdue-index',
      title: 'The overdue-rentals list (status out, soonest due first) is served by an index, proven with EXPLAIN',
      exercise: '1-overdue-index',
      kind: 'dynamic',
      run: (ctx) =>
        live(ctx, async (rt) => {
          const db = await rt.pgClient(await rt.migrated('workshop_overdue'));
          try {
            const columns = (await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'rental'`)).rows.map((r) => r.column_name);
            const missing = ['item_id', 'customer_email', 'status', 'due_at'].filter((c) => !columns.includes(c));
            if (missing.length) return fail(`the rental table lacks ${missing.join(', ')}`, [{ text: `columns: ${columns.join(', ') || '(no rental table)'}` }], 'Keep the preset\'s rental entity (item_id, customer_email, status, due_at).');
            await db.query(`INSERT INTO item (title, daily_price_cents) SELECT 'item ' || g, 100 + g FROM generate_series(1, 50) g`);
            // One rental in ten is still out; due dates spread a month either side of today.
            await db.query(
              `INSERT INTO rental (item_id, customer_email, status, due_at)
               SELECT items.ids[1 + g % 50], 'customer' || g || '@example.com', CASE WHEN g % 10 = 0 THEN 'out' ELSE 'returned' END, now() + ((g % 61) - 30) * interval '1 day'
                 FROM generate_series(1, ${RENTALS}) g, (SELECT array_agg(id) AS ids FROM item) items`,
            );
            await db.query('ANALYZE rental');
            const query = `SELECT * FROM rental WHERE status = 'out' AND due_at < now() ORDER BY due_at ASC, id ASC LIMIT 21`;
            const text = (await db.query(`EXPLAIN ${query}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
            const json = /** @type {any} */ ((await db.query(`EXPLAIN (FORMAT JSON) ${query}`)).rows[0]);
            const nodes = flatten(json['QUERY PLAN'][0].Plan);
            // Indexes on rental whose key starts with status: the only kind that can find "status = out" without reading every row.
            const leading = (
              await db.query(
                `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
                  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
                 WHERE t.relname = 'rental' AND a.attname = 'status' AND i.indisvalid`,
              )
            ).rows.map((r) => r.name);
            const scans = nodes.filter((n) => n['Relation Name'] === 'rental' || n['Index Name']);
            const seq = scans.some((n) => n['Node Type'] === 'Seq Scan');
            const served = nodes.some((n) => /Index/.test(n['Node Type']) && leading.includes(n['Index Name']));
            const evidence = [{ text: `EXPLAIN ${query}\n${text}` }];
            if (served && !seq) return pass(`EXPLAIN over ${RENTALS.toLocaleString('en')} rentals reaches the overdue rows through ${[...new Set(nodes.map((n) => n['Index Name']).filter(Boolean))].join(', ')}`, evidence, { rentals: RENTALS });
            return fail(
              seq ? `EXPLAIN over ${RENTALS.toLocaleString('en')} rentals: the overdue list reads the whole rental table (Seq Scan)` : `the overdue list does not use an index that starts with status (${leading.length ? `there is ${leading.join(', ')}, unused` : 'there is none'})`,
              evidence,
              'Declare the access pattern on rental in the spec — access: { where: [status], order: due_at asc } — then run `npx backend-arch update` and apply the new migration.',
              { rentals: RENTALS },
            );
          } finally {
            await db.end();
          }
        }),
    },
    {
      id: 'rental-workshop.invoice-async',
      title: 'POST /rentals/{id}/invoice answers 202 with a job id and a status URL, and the job completes',
      exercise: '2-invoice-job',
      kind: 'dynamic',
      run: (ctx) =>
        live(ctx, async (rt) => {
          const api = await rt.sharedApi();
          await rt.sharedWorker();
          const { editor } = await rt.tokens();
          const rentalId = await insertRental(rt);
          const auth = { authorization: `Bearer ${editor}` };
          const t0 = Date.now();
          const res = await fetch(`${api.url}/rentals/${rentalId}/invoice`, { method: 'POST', headers: { ...auth, 'idempotency-key': randomBytes(8).toString('hex') }, signal: AbortSignal.timeout(15_000) });
          const ms = Date.now() - t0;
          const body = await res.json().catch(() => undefined);
          const exchange = { text: `POST /rentals/${rentalId}/invoice → ${res.status} after ${ms} ms\n${JSON.stringify(body).slice(0, 400)}` };
          const hint = 'Declare a job on rental in the spec (jobs: { invoice: { entity: rental } }), run `npx backend-arch update`, then make the route enqueue it (src/jobs/routes.ts exports enqueue) and answer 202 with its jobId and statusUrl.';
          if (res.status !== 202) return fail(`POST /rentals/{id}/invoice answered ${res.status} after ${ms} ms: ${res.status === 200 ? 'the request waits for the invoice to render' : 'not the 202 of the async job pattern'}`, [exchange], hint, { responseMs: ms });
          const statusUrl = body?.statusUrl ?? res.headers.get('location');
          if (typeof body?.jobId !== 'string' || typeof statusUrl !== 'string') return fail('the 202 carries no jobId and status URL', [exchange], hint);
          // The worker must finish it: poll the status URL (bounded).
          let state;
          for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(250)) {
            const r = await fetch(new URL(statusUrl, api.url), { headers: auth, signal: AbortSignal.timeout(5000) });
            state = { status: r.status, body: await r.json().catch(() => undefined) };
            if (r.status !== 200 || ['completed', 'failed'].includes(state.body?.status)) break;
          }
          const polled = { text: `GET ${statusUrl} → ${state?.status} ${JSON.stringify(state?.body).slice(0, 400)}` };
          if (state?.status === 200 && state.body?.status === 'completed') return pass(`202 after ${ms} ms with job ${body.jobId}; the worker completed it`, [exchange, polled], { responseMs: ms });
          return fail(`202 with job ${body.jobId}, but the job ${state?.status === 200 ? `is ${state.body?.status ?? 'unknown'} after 30 s` : `status URL answered ${state?.status}`}`, [exchange, polled], 'The status URL must report the job the route enqueued, and the worker must process it.');
        }),
    },
    {
      id: 'rental-workshop.rental-rate-limit',
      title: `One user may create at most ${CREATIONS_PER_MINUTE} rentals a minute (then 429 with Retry-After); other users are not affected`,
      exercise: '3-rental-rate-limit',
      kind: 'dynamic',
      run: (ctx) =>
        live(ctx, async (rt) => {
          const api = await rt.sharedApi();
          const dbUrl = await rt.migrated('app');
          // Users of their own: earlier checks' requests must not count against this window.
          const [first, second] = [await userToken(rt, api.url, dbUrl, 'editor'), await userToken(rt, api.url, dbUrl, 'editor')];
          const itemId = await insertItem(rt);
          const create = (/** @type {string} */ token) =>
            fetch(`${api.url}/rentals`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ item_id: itemId, customer_email: 'walk-in@example.com', due_at: new Date(Date.now() + 7 * 86_400_000).toISOString() }),
              signal: AbortSignal.timeout(10_000),
            });
          /** @type {number[]} */
          const statuses = [];
          /** @type {{ retryAfter: string | null; body: string } | undefined} */
          let limited;
          for (let i = 0; i < CREATIONS_PER_MINUTE * 4 && !limited; i++) {
            const r = await create(first);
            statuses.push(r.status);
            if (r.status === 429) limited = { retryAfter: r.headers.get('retry-after'), body: await r.text() };
            else await r.body?.cancel();
          }
          const evidence = [{ text: `POST /rentals as one editor, ${statuses.length} times: ${statuses.join(' ')}` }];
          const hint = `Give the create route of rentals its own per-user limit of ${CREATIONS_PER_MINUTE} a minute (@fastify/rate-limit: config.rateLimit on the route, keyed by the user), answering 429 with Retry-After.`;
          const created = statuses.filter((s) => s === 201).length;
          if (!limited) return fail(`${statuses.length} rental creations in a row by one user, none refused`, evidence, hint);
          if (created > CREATIONS_PER_MINUTE) return fail(`${created} rentals created by one user before a 429 (at most ${CREATIONS_PER_MINUTE} a minute)`, evidence, hint);
          if (statuses.some((s) => s !== 201 && s !== 429)) return fail('a creation failed with another status', evidence, 'Every creation below the limit should answer 201.');
          if (!limited.retryAfter) return fail('the 429 has no Retry-After header', evidence, 'Answer 429 with Retry-After (seconds until the window resets).');
          const other = await create(second);
          evidence.push({ text: `then POST /rentals as another editor → ${other.status}` });
          await other.body?.cancel();
          if (other.status !== 201) return fail(`another user was refused too (${other.status}): the limit is not per user`, evidence, 'Key the limit by the authenticated user, not globally or by IP.');
          return pass(`${created} creations, then 429 with Retry-After ${limited.retryAfter}; another user still creates (201)`, evidence);
        }),
    },
    {
      id: 'rental-workshop.rate-limit-alert',
      title: 'An alert rule fires while rental creations are refused (429)',
      exercise: '3-rental-rate-limit',
      kind: 'static',
      run: async (ctx) => {
        const file = 'monitoring/alerts.yml';
        const doc = await ctx.project.yaml(file);
        if (!doc) return fail(`${file} is missing`, [], 'Generate the project with the monitoring feature on, then add the rule to monitoring/alerts.yml.');
        const exported = new Set(ctx.project.plan.metrics.flatMap((m) => (m.type === 'histogram' ? [`${m.name}_count`, `${m.name}_bucket`, `${m.name}_sum`] : [m.name])));
        /** @type {{ alert?: string; expr?: unknown }[]} */
        const rules = ((/** @type {any} */ (doc.data))?.groups ?? []).flatMap((/** @type {any} */ g) => g?.rules ?? []);
        const matching = rules.filter((r) => typeof r.expr === 'string' && /429/.test(r.expr) && /rental/.test(r.expr));
        const usable = matching.filter((r) => [...String(r.expr).matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)].some((m) => exported.has(m[1] ?? '')));
        const hint = 'Add a rule to monitoring/alerts.yml over an exported metric, e.g. expr: sum(rate(http_requests_total{route=~"/rentals/?", method="POST", status_code="429"}[5m])) > 0, with a for: and a summary.';
        if (usable.length) return pass(`alert ${usable.map((r) => r.alert).join(', ')} watches refused rental creations`, usable.map((r) => ({ file, text: `${r.alert}: ${r.expr}` })));
        if (matching.length) return fail('the 429 rule reads no metric the API exports', matching.map((r) => ({ file, text: `${r.alert}: ${r.expr}` })), `${hint} Exported: ${[...exported].join(', ')}.`);
        return fail('no alert rule watches 429s on the rental routes', rules.map((r) => ({ file, text: `${r.alert}: ${r.expr}` })), hint);
      },
    },
  ];
}

/** @param {any} n @returns {any[]} */
function flatten(n) {
  return [n, ...(n.Plans ?? []).flatMap(flatten)];
}

/** An item in the API's database; returns its id. @param {import('../../generators/blueprints/contract.js').Runtime} rt */
async function insertItem(rt) {
  const db = await rt.pgClient(await rt.migrated('app'));
  try {
    const { rows } = await db.query(`INSERT INTO item (title, daily_price_cents) VALUES ('workshop bike', 1500) RETURNING id`);
    return String(rows[0]?.id);
  } finally {
    await db.end();
  }
}

/** A rental of a new item, due in three days; returns its id. @param {import('../../generators/blueprints/contract.js').Runtime} rt */
async function insertRental(rt) {
  const itemId = await insertItem(rt);
  const db = await rt.pgClient(await rt.migrated('app'));
  try {
    const { rows } = await db.query(`INSERT INTO rental (item_id, customer_email, due_at) VALUES ($1, 'student@example.com', now() + interval '3 days') RETURNING id`, [itemId]);
    return String(rows[0]?.id);
  } finally {
    await db.end();
  }
}

/**
 * A new user with a role, and a bearer token from POST /auth/token (the monolith's way).
 * @param {import('../../generators/blueprints/contract.js').Runtime} rt @param {string} apiUrl @param {string} dbUrl @param {string} role
 */
async function userToken(rt, apiUrl, dbUrl, role) {
  const email = `workshop-${randomBytes(6).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('hex');
  const argon2 = /** @type {{ hash(p: string): Promise<string> }} */ (rt.require('@node-rs/argon2'));
  const db = await rt.pgClient(dbUrl);
  try {
    await db.query('INSERT INTO auth_users (email, password_hash, role) VALUES ($1, $2, $3)', [email, await argon2.hash(password), role]);
  } finally {
    await db.end();
  }
  const r = await fetch(`${apiUrl}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = await r.json();
  if (!r.ok || !body.access_token) throw new Error(`POST /auth/token answered ${r.status}`);
  return body.access_token;
}
