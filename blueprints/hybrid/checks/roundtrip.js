// @ts-check
/**
 * The offload path on the running project: the API (its shared instance), the relay and the
 * functions under `wrangler dev` (functions/scripts/dev.mjs) against verify's PostgreSQL. Each
 * offloaded job is accepted (202 + status URL, the outbox row written), delivered by the relay to the
 * Worker's ingress, run once by the queue consumer, and reported completed — with a result and one
 * attempt — by the API's status endpoint.
 */

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** @param {import('../../../generators/blueprints/contract.js').CheckKit} kit @returns {import('../../../generators/blueprints/contract.js').Check} */
export const offloadRoundtrip = ({ pass, fail, skip, seed }) => ({
  id: 'hybrid.offload-roundtrip',
  title: 'An offloaded job goes API → outbox → relay → signed ingress → queue consumer → completed at the status endpoint',
  seed: seed('s002', 'Async Job Pattern: accept with 202, process out of band, report status'),
  kind: 'dynamic',
  async run({ project, runtime: rt }) {
    if (!rt) return skip('dynamic checks are off (--static)');
    const why = await rt.unavailable();
    if (why) return { ...skip(`skipped: ${why.reason}`, why.fix), notRun: true };
    /** @type {{ name: string, entity: string, routePath: string, permissions: string[] }[]} */
    const jobs = /** @type {any} */ (project.plan).offload?.jobs ?? [];
    if (jobs.length === 0) return skip('no job is offloaded (every job has runtime: container): nothing goes through the outbox');
    const rows = await rt.ensureRows();
    const api = await rt.sharedApi();
    const tokens = await rt.tokens();
    const adapter = /** @type {import('../../../generators/blueprints/contract.js').RuntimeAdapter} */ (rt.adapter);
    if (!adapter.startHandedOff) return fail('the runtime adapter cannot start the relay and the functions (no startHandedOff)', [], 'Restore the hybrid runtime adapter.');
    const runners = await adapter.startHandedOff(rt, /** @type {any} */ (jobs));
    /** @type {{ text: string }[]} */
    const problems = [];
    /** @type {{ text: string }[]} */
    const ok = [];
    /** @param {string} method @param {string} url @param {string} token */
    const call = async (method, url, token) => {
      const r = await fetch(`${api.url}${url}`, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
      return { status: r.status, body: /** @type {Record<string, unknown>} */ (await r.json().catch(() => ({}))) };
    };
    try {
      for (const job of jobs) {
        const id = rows[job.entity];
        const token = tokens[/** @type {keyof typeof tokens} */ (job.permissions[0])];
        if (!id || !token) {
          problems.push({ text: `${job.name}: no ${job.entity} or no ${job.permissions[0]} token to run it with` });
          continue;
        }
        const started = Date.now();
        const accepted = await call('POST', job.routePath.replace(':id', id), token);
        const statusUrl = typeof accepted.body.statusUrl === 'string' ? accepted.body.statusUrl : undefined;
        if (accepted.status !== 202 || !statusUrl) {
          problems.push({ text: `POST ${job.routePath} → ${accepted.status} ${JSON.stringify(accepted.body).slice(0, 200)} (expected 202 with a statusUrl)` });
          continue;
        }
        /** @type {Record<string, unknown> | undefined} */
        let last;
        while (Date.now() - started < 60_000) {
          last = (await call('GET', statusUrl, token)).body;
          if (last.status === 'completed' || last.status === 'dead') break;
          await sleep(250);
        }
        if (last?.status !== 'completed') problems.push({ text: `${job.name}: ${statusUrl} is ${JSON.stringify(last).slice(0, 200)} after 60 s (expected completed)` });
        else if (last.attempts !== 1 || last.result === undefined) problems.push({ text: `${job.name}: completed with attempts ${String(last.attempts)} and result ${JSON.stringify(last.result)?.slice(0, 80)} (expected one attempt and a result)` });
        else ok.push({ text: `${job.name}: POST → 202 → relay → ingress → function → completed in ${Date.now() - started} ms (1 attempt, result kept)` });
      }
    } finally {
      await runners.stop();
    }
    if (problems.length) return fail(`${problems.length} offloaded job(s) did not complete through the outbox and the functions`, [...problems, { text: runners.output() }], 'Run the relay against the Worker (OFFLOAD_INGRESS_URL) and check both logs: a 401 means the signing secrets differ.');
    return pass(`${jobs.length} offloaded job(s) completed through the outbox, the relay and the functions`, ok);
  },
});
