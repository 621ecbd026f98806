/**
 * The checklist of a project, as data: the shared checks (they hold for every blueprint and read the
 * plan, not a blueprint's paths) that the blueprint's checklist() selects, then the blueprint's own
 * checks, then checks registered by packs. A shared check the blueprint does not select is still
 * reported — as not applicable (n/a) with the reason its checklist's `notApplicable` gives, else as a
 * skip saying it is not in the checklist — so nothing silently passes or disappears. Order is report order.
 */
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import type { Check } from './types.js';
import { notApplicable, skip } from './types.js';
import { STATIC_CHECKS } from './checks/static.js';
import { DYNAMIC_CHECKS } from './checks/dynamic.js';
import { checkKit } from './kit.js';

/** Every shared check, static then dynamic. */
export const SHARED_CHECKS: Check[] = [...STATIC_CHECKS, ...DYNAMIC_CHECKS];

const extra = new Map<string, Check[]>();

/** Adds checks to a blueprint's checklist (ids must be unique). */
export function registerChecks(blueprint: string, checks: Check[]): void {
  extra.set(blueprint, [...(extra.get(blueprint) ?? []), ...checks]);
}

function selected(patterns: 'all' | string[], id: string): boolean {
  return patterns === 'all' || patterns.some((p) => (p.endsWith('.') ? id.startsWith(p) : id === p));
}

export function checksFor(blueprint: Pick<ResolvedBlueprint, 'id' | 'module'>): Check[] {
  const checklist = blueprint.module.checklist?.(checkKit) ?? { shared: [] };
  const shared = SHARED_CHECKS.map((c): Check => {
    if (selected(checklist.shared, c.id)) return c;
    const reason = checklist.notApplicable?.[c.id];
    return { ...c, run: async () => (reason ? notApplicable(`does not apply to the ${blueprint.id} blueprint (${reason})`) : skip(`does not apply to the ${blueprint.id} blueprint (not in its checklist)`)) };
  });
  const all = [...shared, ...(checklist.own ?? []), ...(extra.get(blueprint.id) ?? [])];
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.id)) throw new Error(`blueprint ${blueprint.id}: two checks with the id ${c.id}`);
    seen.add(c.id);
  }
  return all;
}
