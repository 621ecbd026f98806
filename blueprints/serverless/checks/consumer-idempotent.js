// @ts-check
/**
 * The queue consumer is idempotent, observed on the running Worker: a job is accepted (202 + status
 * URL) and completed by the consumer; then the same message is delivered again (the documented
 * redrive, POST <status URL>/redrive, sends it) — the consumer receives it (its status counts a
 * duplicate delivery) and the job's work does not run again: attempts and result are unchanged.
 */

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @template T
 * @param {() => Promise<T | undefined>} probe
 * @param {number} timeoutMs
 * @returns {Promise<T | undefined>}
 */
async function poll(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(250);
  }
  return undefined;
}

/** @param {import('../../../generators/blueprints/contract.js').CheckKit} kit @returns {import('../../../generators/blueprints/contract.js').Check} */
export const consumerIdempotent = ({ pass, fail, skip, seed }) => ({
  id: 'serverless.consumer-idempotent',
  title: 'The queue consumer is idempotent: the same message delivered twice has one effect',
  seed: seed('s002', 'Async Job Pattern: idempotent processing (at-least-once delivery)'),
  kind: 'dynamic',
  async run({ project, runtime: rt }) {
    if (!rt) return skip('dynamic checks are off (--static)');
    const why = await rt.unavailable();
    if (why) return { ...skip(`skipped: ${why.reason}`, why.fix), notRun: true };
    const jobs = project.plan.jobs;
    if (jobs.length === 0) return skip('no jobs declared');
    const api = await rt.sharedApi();
    const tokens = await rt.tokens();
    const created = rt.state('created', () => /** @type {Record<string, string>} */ ({}));
    /** @type {{ text: string }[]} */
    const problems = [];
    /** @type {{ text: string }[]} */
    const ok = [];
    /** @param {string} method @param {string} url @param {string} token */
    const call = async (method, url, token) => {
      const r = await fetch(`${api.url}${url}`, { method, headers: { authorization: `Bearer ${token}` } });
      return { status: r.status, body: /** @type {Record<string, unknown>} */ (await r.json().catch(() => ({}))) };
    };
    for (const job of jobs) {
      const id = created[job.entity];
      if (!id) {
        problems.push({ text: `${job.name}: no ${job.entity} to run it on (dynamic.api-walk creates one; it did not)` });
        continue;
      }
      const token = tokens[/** @type {keyof typeof tokens} */ (job.permissions[0])];
      const admin = tokens[/** @type {keyof typeof tokens} */ ('admin')] ?? token;
      const accepted = await call('POST', job.routePath.replace(':id', id), token);
      const statusUrl = typeof accepted.body.statusUrl === 'string' ? accepted.body.statusUrl : undefined;
      if (accepted.status !== 202 || !statusUrl) {
        problems.push({ text: `POST ${job.routePath} → ${accepted.status} ${JSON.stringify(accepted.body).slice(0, 200)} (expected 202 with a statusUrl)` });
        continue;
      }
      const first = await poll(async () => {
        const s = await call('GET', statusUrl, token);
        return s.body.status === 'completed' ? s.body : undefined;
      }, 30_000);
      if (!first) {
        problems.push({ text: `${job.name}: ${statusUrl} never reported completed within 30 s` });
        continue;
      }
      const again = await call('POST', `${statusUrl}/redrive`, admin);
      if (again.status !== 202) {
        problems.push({ text: `POST ${statusUrl}/redrive → ${again.status}: the same message cannot be delivered again` });
        continue;
      }
      const second = await poll(async () => {
        const s = await call('GET', statusUrl, token);
        return Number(s.body.duplicateDeliveries ?? 0) > Number(first.duplicateDeliveries ?? 0) || Number(s.body.attempts) > Number(first.attempts) ? s.body : undefined;
      }, 30_000);
      if (!second) {
        problems.push({ text: `${job.name}: the consumer never reported receiving the second delivery (duplicateDeliveries, attempts unchanged for 30 s)` });
        continue;
      }
      if (second.attempts !== first.attempts || JSON.stringify(second.result) !== JSON.stringify(first.result))
        problems.push({ text: `${job.name}: the second delivery ran the work again — attempts ${first.attempts} → ${second.attempts}, result ${JSON.stringify(first.result) === JSON.stringify(second.result) ? 'unchanged' : 'changed'}` });
      else ok.push({ text: `${job.name}: delivered twice, run once (attempts ${second.attempts}, duplicate deliveries ${second.duplicateDeliveries}, result unchanged)` });
    }
    return problems.length
      ? fail(`${problems.length} job(s) not processed idempotently`, problems, "Claim the job's row (job_runs) before the work and acknowledge a delivery of a finished job without running it again.")
      : pass(`${ok.length} job(s): a duplicate delivery has no second effect`, ok);
  },
});
