import { indexesOf, predicateSkipsDeleted, type IndexModel } from '../../analysis/schema.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';
import { serves } from './access-pattern-indexes.js';

/**
 * Soft-deleted rows are skipped by their indexes, as the database has them after every migration
 * (later migrations may drop and recreate an index). On a soft-deleted table: every access pattern is
 * served by an index partial on `deleted_at IS NULL` (the list query never walks deleted rows), every
 * unique field is unique among LIVE rows only (a partial unique index: a deleted row frees its value),
 * and no other unique index or UNIQUE constraint counts deleted rows.
 */
export const softDeleteIndexes: Check = {
  id: 'schema.soft-delete-indexes',
  title: 'Soft-deleted tables: access-pattern and unique indexes are partial on deleted_at IS NULL',
  seed: seed('s001', 'Database Design: include soft deletes (indexes WHERE deleted_at IS NULL)'),
  kind: 'static',
  async run({ project }) {
    const schema = await project.schema();
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    const soft = project.plan.entities.filter((e) => e.softDelete);
    if (soft.length === 0) return skip('The spec declares no soft-deleted entity');
    for (const entity of soft) {
      const table = schema.tables.get(entity.tableName);
      if (!table) continue; // schema.migrations-parse / primary-keys report a missing table
      const at = { file: table.file, line: table.line };
      if (!table.columns.has('deleted_at')) {
        problems.push({ ...at, text: `${entity.tableName} is declared soft-deleted but has no deleted_at column after the migrations` });
        continue;
      }
      const indexes = indexesOf(schema, entity.tableName);
      const live = (i: IndexModel) => i.where !== null && predicateSkipsDeleted(i.where);
      for (const planned of entity.indexes) {
        const ap = planned.accessPattern;
        if (!ap) continue;
        const serving = indexes.filter((i) => serves({ ...i, where: null }, ap.where, ap.order, false));
        const partial = serving.find(live);
        if (partial) ok.push({ file: partial.file, line: partial.line, text: `${entity.name}: ${ap.httpQuery} → ${partial.name} (partial, live rows)` });
        else if (serving.length) for (const i of serving) problems.push({ file: i.file, line: i.line, text: `${entity.name}: ${i.name} serves ${ap.httpQuery} but is ${i.where === null ? 'not partial' : 'partial on a predicate that does not imply deleted_at IS NULL'}: it indexes soft-deleted rows` });
        // No serving index at all is schema.access-pattern-indexes' finding.
      }
      for (const f of entity.fields.filter((x) => x.unique)) {
        // On a tenant-owned table the field is unique within the tenant: (tenant, field).
        const key = entity.tenantScoped && project.plan.tenancy ? [project.plan.tenancy.column, f.name] : [f.name];
        const uniques = indexes.filter((i) => i.unique && i.columns.length === key.length && key.every((c) => i.columns.includes(c)));
        const good = uniques.find(live);
        if (good) ok.push({ file: good.file, line: good.line, text: `${entity.name}.${f.name} unique among live rows (${good.name})` });
        else if (uniques.length === 0) problems.push({ ...at, text: `${entity.name}.${f.name} is declared unique but no unique index on (${f.name}) exists after the migrations` });
      }
      const pk = (table.primaryKey ?? []).join(',');
      // An index holding the whole primary key (the (tenant, id) key composite foreign keys reference) takes no value a live row could want.
      const holdsPk = (x: (typeof indexes)[number]) => pk.split(',').every((c) => x.columns.includes(c));
      for (const i of indexes.filter((x) => x.unique && !live(x) && !holdsPk(x)))
        problems.push({ file: i.file, line: i.line, text: `${entity.tableName}: ${i.implicit ? 'UNIQUE constraint' : 'unique index'} ${i.name} on (${i.columns.map((c) => c ?? '(expr)').join(', ')}) counts soft-deleted rows: a deleted row keeps its value taken` });
    }
    return verdict(
      problems,
      { summary: `${soft.length} soft-deleted table(s): access-pattern and unique indexes are partial on deleted_at IS NULL`, evidence: ok },
      { summary: `${problems.length} index(es) on soft-deleted tables include deleted rows`, fix: 'In a new migration, recreate the index partial: CREATE [UNIQUE] INDEX … WHERE deleted_at IS NULL (and drop the full index or the UNIQUE constraint it replaces).' },
    );
  },
};
