// @ts-check
/**
 * The serverless blueprint's own checks (beside the shared ones it selects).
 * @param {import('../../../generators/blueprints/contract.js').CheckKit} _kit
 * @returns {import('../../../generators/blueprints/contract.js').Check[]}
 */
export function serverlessChecks(_kit) {
  return [];
}
