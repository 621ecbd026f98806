// @ts-check
/** The microservices blueprint's own checks (placeholder list filled below). */
/** @param {import('../../generators/blueprints/contract.js').CheckKit} _kit @returns {import('../../generators/blueprints/contract.js').Check[]} */
export function ownChecks(_kit) {
  return [];
}
