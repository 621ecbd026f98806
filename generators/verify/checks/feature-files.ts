import type { ProjectContext } from '../context.js';
import type { Plan } from '../../plan/types.js';
import { fail, skip, type CheckOutcome } from '../types.js';

/**
 * What a check reports when the file it reads is absent: a failure when the optional feature that
 * generates it is on (the user removed it), a skip when the feature was never chosen.
 */
export function missingFeatureFile(project: ProjectContext, feature: keyof Plan['features'], file: string, fix: string): CheckOutcome {
  return project.featureOn(feature) ? fail(`${file} is missing`, [{ text: `${file}: not found` }], fix) : skip(`The ${feature} feature is off (no ${file})`);
}
