// @ts-check
/**
 * Every queue the Worker sends to is consumed, every work queue has a dead-letter queue and bounded
 * retries, and every dead-letter queue has a consumer (so a dead letter is recorded, not left to
 * expire unseen). Read from the wrangler configuration, whatever wrote it.
 */
import { readWranglerConfig, CONFIG_FILES } from './config.js';

/** Cloudflare Queues' own ceiling for max_retries. */
const MAX_RETRIES_LIMIT = 100;

/** @param {import('../../../generators/blueprints/contract.js').CheckKit} kit @returns {import('../../../generators/blueprints/contract.js').Check} */
export const queuesBounded = ({ pass, fail, skip, seed }) => ({
  id: 'serverless.queues-dead-letter',
  title: 'Every queue is consumed with bounded retries and a dead-letter queue, and every dead-letter queue is consumed',
  seed: seed('s002', 'Async Job Pattern: retries with backoff, dead-letter queue'),
  kind: 'static',
  async run({ project }) {
    const read = await readWranglerConfig(project);
    if (!read) return fail('no wrangler configuration', [{ text: `none of ${CONFIG_FILES.join(', ')}` }], 'Restore wrangler.jsonc.');
    if (!read.config) return fail(`${read.file} does not parse: ${read.error}`, [{ file: read.file, text: String(read.error) }], 'Fix the JSON syntax.');
    const producers = read.config.queues?.producers ?? [];
    const consumers = read.config.queues?.consumers ?? [];
    if (producers.length === 0 && consumers.length === 0) {
      return project.plan.jobs.length === 0 ? skip('no queues: the spec declares no jobs') : fail('the spec declares jobs, but the configuration has no queues', [{ file: read.file, text: 'queues: none' }], 'Declare a producer and a consumer per job queue, each with max_retries and dead_letter_queue.');
    }
    const dlqs = new Set(consumers.map((c) => c.dead_letter_queue).filter(Boolean));
    /** @type {{ file: string, line?: number, text: string }[]} */
    const problems = [];
    /** @type {{ file: string, line?: number, text: string }[]} */
    const ok = [];
    /** @param {string} needle @param {string} text */
    const at = (needle, text) => ({ file: read.file, ...(read.lineOf(needle) ? { line: read.lineOf(needle) } : {}), text });
    for (const p of producers) if (!consumers.some((c) => c.queue === p.queue)) problems.push(at(`"${p.queue}"`, `queue ${p.queue} (binding ${p.binding}) is sent to but has no consumer: its messages are never processed`));
    for (const c of consumers) {
      const name = String(c.queue);
      const retries = c.max_retries;
      const bounded = typeof retries === 'number' && Number.isInteger(retries) && retries >= 0 && retries <= MAX_RETRIES_LIMIT;
      if (!bounded) problems.push(at(`"${name}"`, `consumer of ${name}: max_retries ${retries === undefined ? 'not set (the platform default applies silently)' : JSON.stringify(retries)}; set an explicit integer 0–${MAX_RETRIES_LIMIT}`));
      if (dlqs.has(name)) {
        ok.push(at(`"${name}"`, `${name} is a dead-letter queue with a consumer (max_retries ${retries})`));
        continue;
      }
      if (!c.dead_letter_queue) problems.push(at(`"${name}"`, `consumer of ${name} has no dead_letter_queue: a message that exhausts its retries is dropped`));
      else if (!consumers.some((d) => d.queue === c.dead_letter_queue)) problems.push(at(`"${c.dead_letter_queue}"`, `dead-letter queue ${c.dead_letter_queue} of ${name} has no consumer: dead letters are never recorded`));
      else if (bounded) ok.push(at(`"${name}"`, `${name}: max_retries ${retries}, dead letters to ${c.dead_letter_queue}`));
    }
    return problems.length
      ? fail(`${problems.length} queue problem(s)`, problems, 'Give every consumer an explicit max_retries and a dead_letter_queue, and consume every dead-letter queue (record the failure).')
      : pass(`${consumers.length} consumer(s): bounded retries, dead-letter queues consumed`, ok);
  },
});
