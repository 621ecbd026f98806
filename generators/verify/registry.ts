/**
 * The checklist per blueprint, as data. Checks shared by every blueprint are listed once; a blueprint
 * (or a workshop template set) adds its own with registerChecks(). Order is report order.
 */
import type { BlueprintId } from '../blueprints/registry.js';
import type { Check } from './types.js';
import { STATIC_CHECKS } from './checks/static.js';
import { DYNAMIC_CHECKS } from './checks/dynamic.js';

const extra = new Map<string, Check[]>();

/** Adds checks to a blueprint's checklist (ids must be unique). */
export function registerChecks(blueprint: BlueprintId | string, checks: Check[]): void {
  const existing = checksFor(blueprint);
  for (const c of checks) if (existing.some((e) => e.id === c.id)) throw new Error(`internal: duplicate check id ${c.id}`);
  extra.set(blueprint, [...(extra.get(blueprint) ?? []), ...checks]);
}

export function checksFor(blueprint: BlueprintId | string): Check[] {
  const base = blueprint === 'monolith-cache' ? [...STATIC_CHECKS, ...DYNAMIC_CHECKS] : [...STATIC_CHECKS];
  return [...base, ...(extra.get(blueprint) ?? [])];
}
