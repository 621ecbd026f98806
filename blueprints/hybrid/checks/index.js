// @ts-check
/**
 * The hybrid's own checks: the monolith's rate limiter (the container half is the monolith), job
 * options judged on both halves (BullMQ options for container jobs, queue retries, dead letters and
 * the relay's backoff for offloaded ones), the serverless blueprint's that hold for the functions half, and the
 * outbox/relay checks of the offload path.
 */
import { rateLimit } from '../../monolith-cache/checks/index.js';
import { jobOptions } from './job-options.js';
import { ingressVerifies, offloadOutbox, relayDelivery } from './offload.js';
import { offloadRoundtrip } from './roundtrip.js';

/**
 * @param {import('../../../generators/blueprints/contract.js').CheckKit} kit
 * @returns {import('../../../generators/blueprints/contract.js').Check[]}
 */
export function hybridChecks(kit) {
  return [rateLimit(kit), jobOptions(kit), offloadOutbox(kit), relayDelivery(kit), ingressVerifies(kit), offloadRoundtrip(kit)];
}
