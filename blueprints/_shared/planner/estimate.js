// @ts-check
/**
 * Reading the core's capacity estimate (the `estimate` a blueprint's architectureFacts gets) for a
 * scaling path: from which multiple of the stated load a step applies.
 */
/** @typedef {import('../../../generators/blueprints/contract.js').Estimate} Estimate */
/** @typedef {import('../../../generators/blueprints/contract.js').EstimateRow} EstimateRow */

/**
 * The first rows where the API needs more instances, the database a bigger tier, read replicas, or
 * holds 100 GB; and `where(row, what)`, the "when" of a step that starts at a row (or beyond 10×).
 * @param {Estimate} estimate
 */
export function estimateSteps(estimate) {
  /** @param {(r: EstimateRow) => boolean} pred */
  const at = (pred) => estimate.rows.find(pred);
  /** @param {EstimateRow | undefined} r @param {string} what */
  const where = (r, what) => (r ? `from ${r.multiplier}× (${r.rpsPeak} req/s at the peak): ${what}` : `beyond 10× of the stated load`);
  const first = /** @type {EstimateRow} */ (estimate.rows[0]);
  return {
    where,
    moreInstances: at((r) => r.apiInstances > first.apiInstances),
    biggerDb: at((r) => r.dbTier !== first.dbTier),
    replicas: at((r) => r.dbReplicas > 0),
    bigData: at((r) => r.dbGb >= 100),
  };
}

