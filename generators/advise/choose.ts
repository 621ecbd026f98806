/**
 * "Help me choose a blueprint": the optional first choice of `new`'s blueprint prompt. Asks the
 * context questions, shows the matrix and the recommendation, and returns the blueprint to generate
 * (the recommendation, or monolith-cache as the MonolithFirst step when it is not available yet)
 * with the context, which the answers record so docs/architecture.md is drawn from it.
 */
import type { BlueprintId } from '../blueprints/registry.js';
import type { Prompter } from '../cli/prompter.js';
import { advise } from './advice.js';
import type { AdviceContextInput } from './context.js';
import { formatMatrix } from './format.js';
import { promptContext } from './input.js';

export const HELP_ME_CHOOSE = 'help-me-choose';

export async function helpMeChoose(prompter: Prompter): Promise<{ blueprint: BlueprintId; context: AdviceContextInput }> {
  const context = await promptContext(prompter, {});
  const advice = advise(context);
  const summary = [
    'Decision matrix (higher is better):',
    ...formatMatrix(advice),
    `Recommended: ${advice.recommended}${advice.reasons[0] ? ` (${advice.reasons[0].rule}: ${advice.reasons[0].condition})` : ''}.`,
    ...(advice.meanwhile ? [advice.meanwhile] : []),
    'Generate',
  ].join('\n');
  const blueprint = await prompter.select<BlueprintId>({
    message: summary,
    choices: [{ name: `${advice.generate}${advice.generate === advice.recommended ? ' (recommended)' : ' (available now; the MonolithFirst step)'}`, value: advice.generate }],
    default: advice.generate,
  });
  return { blueprint, context };
}
