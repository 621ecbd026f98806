import { indexesOf, nullTestConjuncts, type IndexModel } from '../../analysis/schema.js';
import type { NullCheck } from '../../../plan/types.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';

/**
 * Every access pattern the manifest records is served by an index: its leading columns are the
 * pattern's equality columns (any order; `is null` columns may lead too), then the sort column; the
 * direction matches (or is wholly reversed: a B-tree scans backwards), and for a nullable sort column
 * so does the NULLS LAST placement; a partial predicate must be one the list query implies, and each
 * `is [not] null` condition is either a leading column or in the predicate (never a filter over the
 * whole index).
 */
export const accessPatternIndexes: Check = {
  id: 'schema.access-pattern-indexes',
  title: 'Every declared access pattern is served by an index',
  seed: seed('s002', 'Critical Rules: VALIDATE that database schemas have proper indexes for query patterns'),
  kind: 'static',
  async run({ project }) {
    const schema = await project.schema();
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    let patterns = 0;
    for (const entity of project.plan.entities) {
      for (const planned of entity.indexes) {
        const ap = planned.accessPattern;
        if (!ap) continue;
        patterns++;
        const candidates = indexesOf(schema, entity.tableName);
        const serving = candidates.find((i) => serves(i, ap.where, ap.order, entity.softDelete, ap.nullChecks ?? []));
        const label = `${entity.name}: ${ap.httpQuery}`;
        if (serving) ok.push({ file: serving.file, line: serving.line, text: `${label} → ${serving.name} (${describe(serving)})` });
        else {
          const table = schema.tables.get(entity.tableName);
          const near = candidates.filter((i) => i.columns[0] !== null && (ap.where.includes(i.columns[0]!) || i.columns[0] === ap.order.column));
          problems.push({
            ...(table ? { file: table.file, line: table.line } : {}),
            text: `${label} (WHERE ${[...ap.where.map((c) => `${c} = $n`), ...(ap.nullChecks ?? []).map((c) => `${c.column} IS ${c.isNull ? '' : 'NOT '}NULL`), ...(entity.softDelete ? ['deleted_at IS NULL'] : [])].join(' AND ') || 'true'} ORDER BY ${ap.order.column} ${ap.order.direction}${ap.order.nullable ? ' NULLS LAST' : ''}, id) has no index leading with (${[...ap.where, ap.order.column].join(', ')})${near.length ? `; nearest: ${near.map((i) => `${i.name} (${describe(i)})`).join(', ')}` : ''}; expected e.g. ${planned.sql}`,
          });
        }
      }
    }
    if (patterns === 0) return skip('The spec declares no access patterns');
    return verdict(
      problems,
      { summary: `${patterns} access pattern(s), each served by an index`, evidence: ok },
      { summary: `${problems.length} access pattern(s) without a serving index`, fix: 'Add the index in a new migration (`backend-arch add index <entity>` writes it), or remove the access pattern from the spec.' },
    );
  },
};

export function serves(
  index: IndexModel,
  where: string[],
  order: { column: string; direction: 'asc' | 'desc'; nullable?: boolean },
  softDelete: boolean,
  nullChecks: NullCheck[] = [],
): boolean {
  // Leading columns: the equality columns, and any `is null` column (an index condition there too).
  const leadable = new Set([...where, ...nullChecks.map((c) => c.column)]);
  let n = 0;
  while (n < index.columns.length && leadable.has(index.columns[n] ?? '')) n++;
  const lead = index.columns.slice(0, n);
  if (!where.every((c) => lead.includes(c))) return false;
  if (index.columns[n] !== order.column) return false;
  // The index's direction on the sort column must match, or the whole remaining key must be reversed.
  const dir = index.directions[n];
  const forward = dir === order.direction;
  if (!forward && !index.directions.slice(n).every((d) => d !== order.direction)) return false;
  if (order.nullable) {
    // The query puts NULLs last; a reversed scan flips the index's placement.
    const nullsFirst = (index.nulls[n] ?? (dir === 'desc' ? 'first' : 'last')) === 'first';
    if (forward ? nullsFirst : !nullsFirst) return false;
  }
  // A partial index serves only if the list query implies its predicate.
  const implied = [...nullChecks, ...(softDelete ? [{ column: 'deleted_at', isNull: true }] : [])];
  const predicate = nullTestConjuncts(index.where);
  if (predicate === null || !predicate.every((p) => implied.some((q) => q.column === p.column && q.isNull === p.isNull))) return false;
  // Each `is [not] null` condition is answered by the index itself: a leading column or the predicate.
  return nullChecks.every((c) => lead.includes(c.column) || predicate.some((p) => p.column === c.column && p.isNull === c.isNull));
}

function describe(i: IndexModel): string {
  const cols = i.columns.map((c, k) => `${c ?? '(expr)'}${i.directions[k] === 'desc' ? ' DESC' : ''}${i.nulls[k] ? ` NULLS ${i.nulls[k]!.toUpperCase()}` : ''}`).join(', ');
  return `${cols}${i.where ? ' WHERE …partial' : ''}`;
}
