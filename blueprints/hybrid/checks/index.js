// @ts-check
/**
 * The hybrid's own checks: the monolith's (its rate limiter, its BullMQ job options — the container
 * half is the monolith), the serverless blueprint's that hold for the functions half, and the
 * outbox/relay checks of the offload path.
 */
import { monolithChecks } from '../../monolith-cache/checks/index.js';
import { ingressVerifies, offloadOutbox, relayDelivery } from './offload.js';
import { offloadRoundtrip } from './roundtrip.js';

/**
 * @param {import('../../../generators/blueprints/contract.js').CheckKit} kit
 * @returns {import('../../../generators/blueprints/contract.js').Check[]}
 */
export function hybridChecks(kit) {
  return [...monolithChecks(kit), offloadOutbox(kit), relayDelivery(kit), ingressVerifies(kit), offloadRoundtrip(kit)];
}
