// @ts-check
/** @import * as TS from 'typescript' */
import { ts } from '../../_shared/lazy-typescript.js';

/** @typedef {import('../../../generators/blueprints/contract.js').Check} Check */
/** @typedef {import('../../../generators/blueprints/contract.js').CheckKit} CheckKit */
/** @typedef {import('../../../generators/blueprints/contract.js').Evidence} Evidence */

/**
 * Every job is enqueued with retries (attempts as the spec declares), exponential backoff, and failed
 * jobs kept (the dead-letter state). Reads the options where the API enqueues with BullMQ
 * (`queue.add(name, data, options)`, merged over the Queue's defaultJobOptions) and evaluates them for
 * each declared job.
 * @param {CheckKit} kit
 * @returns {Check}
 */
export const jobOptions = ({ pass, fail, skip, seed, analysis: { evaluate, UNKNOWN, SPREAD_UNKNOWN, findAll } }) => ({
  id: 'async.job-options',
  title: 'Jobs retry with exponential backoff and keep failed jobs',
  seed: seed('s002', 'Asynchronous Processing & Job Queues: job retry strategies, dead-letter queues'),
  kind: 'static',
  async run({ project }) {
    const jobs = project.plan.jobs;
    if (jobs.length === 0) return skip('The spec declares no jobs');
    const sources = await project.sources();
    const adds = sources.app.flatMap(({ sf }) =>
      findAll(sf, ts.isCallExpression).filter(
        (c) => ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === 'add' && /queue/i.test(c.expression.expression.getText()) && c.arguments.length >= 2,
      ),
    );
    const defaults = sources.app.flatMap(({ sf }) =>
      findAll(sf, ts.isNewExpression).filter((n) => ts.isIdentifier(n.expression) && n.expression.text === 'Queue' && sources.importSource(n.expression) === 'bullmq'),
    );
    if (adds.length === 0) return fail('No queue.add(…) call in src/', [{ text: 'jobs are declared but never enqueued' }], 'Enqueue jobs with queue.add(name, data, jobOptions(name)).');
    /** @type {Evidence[]} */
    const problems = [];
    /** @type {Evidence[]} */
    const ok = [];
    for (const add of adds) {
      const nameArg = /** @type {TS.Expression} */ (add.arguments[0]);
      for (const job of jobs) {
        // Bind the job name wherever the call site takes it from a variable (enqueue(…, name, …)).
        /** @type {Map<string, unknown>} */
        const env = new Map(ts.isIdentifier(nameArg) ? [[nameArg.text, job.name]] : []);
        const literalName = evaluate(sources, nameArg, env);
        if (typeof literalName === 'string' && literalName !== job.name) continue;
        const base = /** @type {Record<string, unknown> | undefined} */ (
          defaults.map((d) => evaluate(sources, sources.prop(d.arguments?.[1], 'defaultJobOptions'), env)).find((v) => v && typeof v === 'object')
        );
        const own = add.arguments[2] ? evaluate(sources, add.arguments[2], env) : {};
        /** @type {Record<string, unknown>} */
        const opts = { ...(base ?? {}), ...(own && typeof own === 'object' ? /** @type {Record<string, unknown>} */ (own) : {}) };
        const at = sources.at(add, `${job.name}: ${add.getText().replace(/\s+/g, ' ').slice(0, 100)}`);
        /** @type {string[]} */
        const issues = [];
        const attempts = opts.attempts;
        if (attempts === UNKNOWN || (attempts === undefined && (opts[SPREAD_UNKNOWN] || own === UNKNOWN))) issues.push('attempts cannot be determined statically');
        else if (typeof attempts !== 'number' || attempts < job.attempts) issues.push(`attempts is ${String(attempts ?? 'absent (1: no retry)')}, the spec declares ${job.attempts - 1} retries (attempts ${job.attempts})`);
        const backoff = /** @type {{ type?: unknown } | undefined | typeof UNKNOWN} */ (opts.backoff);
        if (backoff === UNKNOWN) issues.push('backoff cannot be determined statically');
        else if (!backoff || typeof backoff !== 'object' || backoff.type !== 'exponential') issues.push(`backoff is ${JSON.stringify(backoff ?? null)}, expected { type: 'exponential', delay }`);
        const rof = opts.removeOnFail;
        if (rof === true || rof === 0) issues.push(`removeOnFail: ${String(rof)} discards failed jobs (no dead-letter state)`);
        if (issues.length) problems.push({ ...at, text: `${job.name}: ${issues.join('; ')}` });
        else ok.push({ ...at, text: `${job.name}: attempts ${String(attempts)}, backoff exponential, removeOnFail ${JSON.stringify(rof ?? 'default (kept)')}` });
      }
    }
    if (problems.length) return fail(`${problems.length} job enqueue(s) without proper retry options`, problems, "Enqueue with { attempts: retries + 1, backoff: { type: 'exponential', delay }, removeOnFail: false } (src/jobs/definitions.ts jobOptions()).");
    if (ok.length === 0) return fail('No enqueue call for the declared jobs', jobs.map((j) => ({ text: `${j.name}: not enqueued` })), 'Enqueue each job from its POST route.');
    return pass(`${jobs.length} job(s) enqueued with retries, exponential backoff and failed jobs kept`, ok);
  },
});
