// @ts-check
/**
 * The monolith-cache blueprint's own checks: the properties the shared checks cannot state without
 * naming its libraries — rate limiting as a registered Fastify plugin with a Redis store, job retries
 * as BullMQ enqueue options. The microservices blueprint (the same services and queues) selects them too.
 */
import { jobOptions } from './job-options.js';
import { rateLimit } from './rate-limit.js';

export { jobOptions, rateLimit };

/**
 * @param {import('../../../generators/blueprints/contract.js').CheckKit} kit
 * @returns {import('../../../generators/blueprints/contract.js').Check[]}
 */
export function monolithChecks(kit) {
  return [rateLimit(kit), jobOptions(kit)];
}
