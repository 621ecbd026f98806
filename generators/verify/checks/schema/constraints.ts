import { indexesOf, nullTestConjuncts, type SchemaModel } from '../../analysis/schema.js';
import type { RouteModel } from '../../analysis/routes.js';
import type { EntityPlan } from '../../../plan/types.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

/**
 * Declared fields keep their NOT NULL and foreign-key constraints in the schema on disk; each composite
 * unique constraint is enforced by a unique index (or UNIQUE constraint) on exactly its columns; and an
 * append-only entity is append-only in the database (a BEFORE UPDATE/DELETE trigger whose function
 * raises) and in the API (no PATCH, PUT or DELETE route).
 */
export const constraints: Check = {
  id: 'schema.constraints',
  title: 'Required fields are NOT NULL, references are foreign keys, composite uniques and append-only tables are enforced',
  seed: seed('s003', 'Database Design Principles: Schema Design (Constraints: foreign keys, check constraints)'),
  kind: 'static',
  async run({ project }) {
    const schema = await project.schema();
    const routes = await project.routes();
    const problems: Evidence[] = [];
    let checked = 0;
    for (const e of project.plan.entities) {
      const t = schema.tables.get(e.tableName);
      if (!t) continue; // schema.audit-columns reports a missing table
      for (const c of e.fields) {
        const col = t.columns.get(c.name);
        checked++;
        if (!col) {
          problems.push({ file: t.file, line: t.line, text: `${t.name}.${c.name} (declared in the spec) is missing` });
          continue;
        }
        if (!c.nullable && !col.notNull) problems.push({ file: col.file, line: col.line, text: `${t.name}.${c.name} is nullable; the spec declares it required (NOT NULL)` });
      }
      const tenant = e.tenantScoped ? project.plan.tenancy?.column : undefined;
      for (const ref of e.references) {
        // Between tenant-owned tables the key is composite: (tenant, column) → parent (tenant, id).
        const key = tenant && ref.tenantScoped ? [tenant, ref.column] : [ref.column];
        if (!t.foreignKeys.some((fk) => fk.columns.length === key.length && key.every((c) => fk.columns.includes(c)) && fk.refTable === ref.entity))
          problems.push({ file: t.file, line: t.line, text: `${t.name}.${ref.column} has no FOREIGN KEY to ${ref.entity}(${key.length > 1 ? `${tenant}, id` : 'id'})` });
      }
      for (const declared of e.uniques ?? []) {
        checked++;
        // Tenant-owned: unique within the tenant, so the index leads with the tenant column.
        const columns = tenant ? [tenant, ...declared.filter((c) => c !== tenant)] : declared;
        if (!enforcesUnique(schema, e, columns))
          problems.push({ file: t.file, line: t.line, text: `${t.name}: nothing enforces unique (${columns.join(', ')})${e.softDelete ? ' among live rows' : ''}: no unique index on exactly these columns${e.softDelete ? ' (full, or partial on deleted_at IS NULL)' : ''}` });
      }
      if (e.appendOnly) {
        checked++;
        problems.push(...appendOnlyProblems(schema, routes, e, { file: t.file, line: t.line }));
      }
    }
    return verdict(
      problems,
      { summary: `${checked} declared column(s) and constraint(s): NOT NULL, foreign keys, composite uniques, append-only tables` },
      { summary: `${problems.length} missing constraint(s)`, fix: 'Restore the constraint in a new migration (ALTER TABLE … SET NOT NULL / ADD FOREIGN KEY / CREATE UNIQUE INDEX, or the append-only trigger), and remove PATCH/DELETE routes from append-only resources.' },
    );
  },
};

function enforcesUnique(schema: SchemaModel, e: EntityPlan, columns: string[]): boolean {
  const same = (a: (string | null)[]) => a.length === columns.length && columns.every((c) => a.includes(c));
  return indexesOf(schema, e.tableName).some((i) => {
    if (!i.unique || !same(i.columns)) return false;
    // Partial only on live rows of a soft-deleted table: any other predicate leaves rows unchecked.
    const predicate = nullTestConjuncts(i.where);
    return predicate !== null && predicate.every((p) => e.softDelete && p.column === 'deleted_at' && p.isNull);
  });
}

function appendOnlyProblems(schema: SchemaModel, routes: RouteModel[], e: EntityPlan, at: { file: string; line: number }): Evidence[] {
  const problems: Evidence[] = [];
  const guards = [...schema.triggers.values()].filter((t) => t.table === e.tableName && t.timing === 'before' && /RAISE\s+EXCEPTION/i.test(schema.functions.get(t.function)?.body ?? ''));
  for (const event of ['update', 'delete'] as const) {
    if (!guards.some((t) => t.events.includes(event)))
      problems.push({ ...at, text: `${e.tableName} is append-only, but no BEFORE ${event.toUpperCase()} trigger raising an exception refuses ${event === 'update' ? 'an UPDATE' : 'a DELETE'}` });
  }
  for (const r of routes) {
    if ((r.method === 'PATCH' || r.method === 'PUT' || r.method === 'DELETE') && (r.path === `${e.routePrefix}/:id` || r.path.startsWith(`${e.routePrefix}/`)))
      problems.push({ file: r.file, line: r.line, text: `${r.method} ${r.path}: ${e.name} is append-only, it must have no ${r.method} route` });
  }
  return problems;
}
