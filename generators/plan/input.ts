/** The one mapping from recorded answers (and the spec) to the planner's input: new, add/update and verify use it. */
import type { Answers } from '../core/manifest.js';
import type { Spec } from '../domain/schema.js';
import type { Measured } from '../advise/capacity.js';
import type { PlanInput } from './types.js';

export function planInputFrom(answers: Answers, spec: Spec, generatorVersion: string, measured?: Measured): PlanInput {
  return {
    context: answers.context,
    measured,
    spec,
    name: answers.name,
    blueprint: answers.blueprint,
    packageManager: answers.packageManager,
    features: answers.features,
    options: answers.options ?? {},
    generatorVersion,
  };
}
