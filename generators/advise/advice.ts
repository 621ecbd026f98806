/**
 * The advice, as data (the command prints it, --json emits it, the decision record reuses it):
 * context with what was defaulted, the matrix, the recommendation with its reasons and "would change
 * if", what can be generated today, and the capacity/cost estimate of the recommendation.
 */
import { BLUEPRINTS, type BlueprintId } from '../blueprints/registry.js';
import { resolveContext, type AdviceContextInput, type ContextField } from './context.js';
import { estimateCapacity, type Estimate, type Measured } from './capacity.js';
import { rank, reasonsFor, scoreContext, wouldChangeIf, type ChangeCondition, type Matrix, type Reason } from './matrix.js';
import type { AdviceContext } from './context.js';

export interface Advice {
  context: AdviceContext;
  defaulted: ContextField[];
  matrix: Matrix;
  /** Blueprint ids, best first, with their totals. */
  ranking: { blueprint: BlueprintId; total: number }[];
  recommended: BlueprintId;
  runnerUp: BlueprintId;
  reasons: Reason[];
  wouldChangeIf: ChangeCondition[];
  /** Whether this version of create-backend-arch can generate the recommendation. */
  available: boolean;
  /** What to generate today: the recommendation, or monolith-cache as the MonolithFirst step towards it. */
  generate: BlueprintId;
  /** Why `generate` differs from `recommended`, when it does. */
  meanwhile: string | null;
  estimate: Estimate;
  /** Set when the estimate at 1× exceeds the stated budget. */
  overBudget: string | null;
}

/** The MonolithFirst step when the recommendation cannot be generated yet. */
const FALLBACK: BlueprintId = 'monolith-cache';

export function advise(input: AdviceContextInput = {}, options: { measured?: Measured } = {}): Advice {
  const { context, defaulted } = resolveContext(input);
  const matrix = scoreContext(context);
  const ranked = rank(matrix);
  const recommended = ranked[0]!.blueprint;
  const runnerUp = ranked[1]!.blueprint;
  const available = BLUEPRINTS.find((b) => b.id === recommended)!.available;
  const generate = available ? recommended : FALLBACK;
  const estimate = estimateCapacity(context, recommended, options.measured);
  return {
    context,
    defaulted,
    matrix,
    ranking: ranked.map((s) => ({ blueprint: s.blueprint, total: s.total })),
    recommended,
    runnerUp,
    reasons: reasonsFor(matrix, recommended, runnerUp),
    wouldChangeIf: wouldChangeIf(context, recommended),
    available,
    generate,
    meanwhile: available
      ? null
      : `${recommended} is not available yet in this version; generate ${FALLBACK} now as the MonolithFirst step (one deployable, the same schema, jobs and checks) and follow the migration path in docs/architecture.md when ${recommended} ships.`,
    estimate,
    overBudget:
      estimate.rows[0]!.cost.total > context.budgetUsdPerMonth
        ? `the estimate at 1× ($${estimate.rows[0]!.cost.total}/month) exceeds the stated budget ($${context.budgetUsdPerMonth}/month); the formulas above show which line to cut (standby database, cache replica, minimum instance count) and what it costs in uptime`
        : null,
  };
}
