// @ts-check
/**
 * The hybrid's own checks: the monolith's rate limiter (the container half is the monolith), job
 * options judged on both halves (BullMQ options for container jobs, queue retries, dead letters and
 * the relay's backoff for offloaded ones), the serverless blueprint's that hold for the functions
 * half (its queues, wrangler configuration and database access, read under plan.workerRoot), and
 * the outbox/relay checks of the offload path.
 */
import { rateLimit } from '../../monolith-cache/checks/index.js';
import { jobOptions } from './job-options.js';
import { ingressVerifies, offloadOutbox, relayDelivery } from './offload.js';
import { offloadRoundtrip } from './roundtrip.js';
import { queuesBounded } from '../../serverless/checks/queues.js';
import { wranglerConfig } from '../../serverless/checks/wrangler-config.js';
import { dbThroughProxy } from '../../serverless/checks/db-proxy.js';

/** @typedef {import('../../../generators/blueprints/contract.js').Check} Check */

/**
 * A serverless check run on the functions half (plan.workerRoot: functions/), skipped with the reason
 * when no job is offloaded (the functions then have nothing to run).
 * @param {import('../../../generators/blueprints/contract.js').CheckKit} kit @param {Check} check @returns {Check}
 */
const onFunctions = (kit, check) => ({
  ...check,
  run: (ctx) => ((/** @type {any} */ (ctx.project.plan).offload?.jobs ?? []).length === 0 ? Promise.resolve(kit.skip('no job is offloaded (every job has runtime: container): the functions have nothing to run')) : check.run(ctx)),
});

/**
 * @param {import('../../../generators/blueprints/contract.js').CheckKit} kit
 * @returns {import('../../../generators/blueprints/contract.js').Check[]}
 */
export function hybridChecks(kit) {
  return [rateLimit(kit), jobOptions(kit), offloadOutbox(kit), relayDelivery(kit), ingressVerifies(kit), offloadRoundtrip(kit), ...[queuesBounded(kit), wranglerConfig(kit), dbThroughProxy(kit)].map((c) => onFunctions(kit, c))];
}
