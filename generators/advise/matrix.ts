/**
 * Context → decision matrix → recommendation. The matrix is a neutral baseline plus the effects of
 * the rules that hold (rules.ts); the recommendation is the highest total (ties: the simpler one);
 * the reasons are the rules that put it ahead of the runner-up; "would change if" re-scores the
 * context under a few plausible changes and reports the ones that change the answer.
 */
import { BLUEPRINTS, type BlueprintId } from '../blueprints/registry.js';
import type { AdviceContext } from './context.js';
import { CRITERIA, RULES, SIMPLICITY_ORDER, type Criterion, type Rule } from './rules.js';

/** Every criterion starts here for every blueprint; only rules move it. */
export const BASELINE = 3;

export interface Contribution {
  rule: string;
  delta: number;
}

export interface BlueprintScore {
  blueprint: BlueprintId;
  title: string;
  available: boolean;
  criteria: Record<Criterion, { score: number; contributions: Contribution[] }>;
  total: number;
}

export interface Matrix {
  /** In SIMPLICITY_ORDER (a stable column/row order), not ranked. */
  scores: BlueprintScore[];
  /** Ids of the rules whose condition held. */
  fired: string[];
}

export function scoreContext(context: AdviceContext, rules: readonly Rule[] = RULES): Matrix {
  const fired = rules.filter((r) => r.when(context));
  const scores = SIMPLICITY_ORDER.map((id): BlueprintScore => {
    const meta = BLUEPRINTS.find((b) => b.id === id)!;
    const criteria = Object.fromEntries(
      CRITERIA.map((criterion) => {
        const contributions = fired.flatMap((r) => r.effects.filter((x) => x.blueprint === id && x.criterion === criterion).map((x) => ({ rule: r.id, delta: x.delta })));
        return [criterion, { score: BASELINE + contributions.reduce((s, c) => s + c.delta, 0), contributions }];
      }),
    ) as BlueprintScore['criteria'];
    return { blueprint: id, title: meta.title, available: meta.available, criteria, total: CRITERIA.reduce((s, c) => s + criteria[c].score, 0) };
  });
  return { scores, fired: fired.map((r) => r.id) };
}

/** Highest total first; ties broken by simplicity (the order of matrix.scores). */
export function rank(matrix: Matrix): BlueprintScore[] {
  return [...matrix.scores].sort((a, b) => b.total - a.total || SIMPLICITY_ORDER.indexOf(a.blueprint) - SIMPLICITY_ORDER.indexOf(b.blueprint));
}

export interface Reason {
  rule: string;
  condition: string;
  reason: string;
  source: { title: string; url: string };
  /** Points this rule puts the recommendation ahead of the runner-up. */
  margin: number;
}

function netEffect(rule: Rule, id: BlueprintId): number {
  return rule.effects.filter((x) => x.blueprint === id).reduce((s, x) => s + x.delta, 0);
}

/** The fired rules that favour `winner` over `runnerUp`, strongest first. */
export function reasonsFor(matrix: Matrix, winner: BlueprintId, runnerUp: BlueprintId): Reason[] {
  return RULES.filter((r) => matrix.fired.includes(r.id))
    .map((r) => ({ rule: r.id, condition: r.condition, reason: r.reason, source: r.source, margin: netEffect(r, winner) - netEffect(r, runnerUp) }))
    .filter((r) => r.margin > 0)
    .sort((a, b) => b.margin - a.margin);
}

interface WhatIf {
  description: string;
  applies: (c: AdviceContext) => boolean;
  change: (c: AdviceContext) => AdviceContext;
}

/** Plausible changes of context, each tried on its own. */
const WHAT_IFS: readonly WhatIf[] = [
  { description: 'traffic became spiky or idle most of the day', applies: (c) => c.traffic === 'steady', change: (c) => ({ ...c, traffic: 'spiky', rpsPeak: Math.max(c.rpsPeak, c.rpsAverage * 10) }) },
  { description: 'traffic became steady with a p95 target ≤ 100 ms', applies: (c) => c.traffic !== 'steady' || c.p95Ms > 100, change: (c) => ({ ...c, traffic: 'steady', p95Ms: Math.min(c.p95Ms, 100), rpsPeak: Math.min(c.rpsPeak, c.rpsAverage * 2) }) },
  { description: '4 or more teams had to deploy independently', applies: (c) => c.teams < 4, change: (c) => ({ ...c, teams: 4, teamSize: Math.max(c.teamSize, 25) }) },
  { description: 'only one team deployed the backend', applies: (c) => c.teams > 1, change: (c) => ({ ...c, teams: 1, teamSize: Math.min(c.teamSize, 8) }) },
  { description: 'the project replaced an existing system', applies: (c) => !c.replacesSystem, change: (c) => ({ ...c, replacesSystem: true }) },
  { description: 'the migration from the existing system were finished', applies: (c) => c.replacesSystem, change: (c) => ({ ...c, replacesSystem: false }) },
  { description: 'the load grew 10×', applies: () => true, change: (c) => ({ ...c, rpsAverage: c.rpsAverage * 10, rpsPeak: c.rpsPeak * 10, dataGb: c.dataGb * 10, dataGrowthGbPerMonth: c.dataGrowthGbPerMonth * 10 }) },
  { description: 'the budget dropped under $200/month', applies: (c) => c.budgetUsdPerMonth >= 200, change: (c) => ({ ...c, budgetUsdPerMonth: 150 }) },
  { description: 'real-time push became a requirement', applies: (c) => !c.realtime, change: (c) => ({ ...c, realtime: true }) },
];

export interface ChangeCondition {
  if: string;
  then: BlueprintId;
}

export function wouldChangeIf(context: AdviceContext, current: BlueprintId): ChangeCondition[] {
  return WHAT_IFS.filter((w) => w.applies(context))
    .map((w) => ({ if: w.description, then: rank(scoreContext(w.change(context)))[0]!.blueprint }))
    .filter((w) => w.then !== current);
}
