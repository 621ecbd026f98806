import { indexesOf, predicateSkipsDeleted, type IndexModel } from '../../analysis/schema.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';

/**
 * Every access pattern the manifest records is served by an index: its leading columns are the
 * pattern's equality columns (any order), then the sort column; the direction matches (or is wholly
 * reversed: a B-tree scans backwards); a partial predicate must be one the list query implies.
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
        const serving = candidates.find((i) => serves(i, ap.where, ap.order, entity.softDelete));
        const label = `${entity.name}: ${ap.httpQuery}`;
        if (serving) ok.push({ file: serving.file, line: serving.line, text: `${label} → ${serving.name} (${describe(serving)})` });
        else {
          const table = schema.tables.get(entity.tableName);
          const near = candidates.filter((i) => i.columns[0] !== null && (ap.where.includes(i.columns[0]!) || i.columns[0] === ap.order.column));
          problems.push({
            ...(table ? { file: table.file, line: table.line } : {}),
            text: `${label} (WHERE ${[...ap.where.map((c) => `${c} = $n`), ...(entity.softDelete ? ['deleted_at IS NULL'] : [])].join(' AND ') || 'true'} ORDER BY ${ap.order.column} ${ap.order.direction}, id) has no index leading with (${[...ap.where, ap.order.column].join(', ')})${near.length ? `; nearest: ${near.map((i) => `${i.name} (${describe(i)})`).join(', ')}` : ''}; expected e.g. ${planned.sql}`,
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

export function serves(index: IndexModel, where: string[], order: { column: string; direction: 'asc' | 'desc' }, softDelete: boolean): boolean {
  const n = where.length;
  const lead = index.columns.slice(0, n);
  if (!where.every((c) => lead.includes(c))) return false;
  if (index.columns[n] !== order.column) return false;
  // The index's direction on the sort column must match, or the whole remaining key must be reversed.
  const dir = index.directions[n];
  if (dir !== order.direction) {
    const rest = index.directions.slice(n);
    const reversed = rest.every((d) => d !== order.direction);
    if (!reversed) return false;
  }
  if (index.where !== null && !(softDelete && predicateSkipsDeleted(index.where))) return false;
  return true;
}

function describe(i: IndexModel): string {
  const cols = i.columns.map((c, k) => `${c ?? '(expr)'}${i.directions[k] === 'desc' ? ' DESC' : ''}`).join(', ');
  return `${cols}${i.where ? ' WHERE …partial' : ''}`;
}
