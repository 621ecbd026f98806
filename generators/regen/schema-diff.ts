/**
 * Migration diffing: the schema the recorded migrations built (derived from the spec the project was
 * last generated from) versus the schema the new spec wants → the statements of ONE new migration.
 * Applied migrations are never edited: a change is always a new numbered file.
 *
 * Changes are classified:
 *  - additive (always generated): new table (with its trigger and indexes), new column that is
 *    nullable or has a default, new/changed/removed index, making a column nullable;
 *  - destructive or unsafe (refused unless allowDestructive): drop table, drop column, type change,
 *    NOT NULL on an existing column, a NOT NULL column without a default on an existing table (fails
 *    on any existing row), a changed default/CHECK/UNIQUE/foreign key (may reject existing rows);
 *  - turning multi-tenancy on (`enabling`, given the tenant of today's rows): the tenant column
 *    backfilled on every tenant-owned and built-in tenant table, uniques and indexes leading with it,
 *    references between tenant-owned tables made composite, the role, grants and row-level security.
 */
import { appendOnlyGuard, entityDown, entityUp, tenantBuiltInTable, tenantIsolation, tenantTable } from '../plan/migrations.js';
import type { ColumnPlan, EntityPlan, IndexPlan, SqlStatement, TenancyPlan } from '../plan/types.js';

export interface SchemaChange {
  up: SqlStatement[];
  down: SqlStatement[];
  /** One line per change, for the report and the migration's title. */
  summary: string[];
  /** Destructive or unsafe changes: each says what would happen and what to do instead. */
  destructive: string[];
  /** A short file-name slug, e.g. "add_invoice" or "add_index_task". */
  slug: string;
}

/** A column's type and constraints, as the planner derived them (data, not DDL text). */
interface ColumnDdl {
  type: string;
  notNull: boolean;
  default: string | null;
  unique: boolean;
  /** "REFERENCES <table> (id) ON DELETE <action>", or null: one string so a change of either part compares. */
  references: string | null;
  checks: string[];
}

export function columnConstraints(column: ColumnPlan): ColumnDdl {
  const c = column.constraints;
  return {
    type: column.sqlType,
    notNull: c.notNull,
    default: c.default,
    unique: c.unique,
    references: c.references ? `REFERENCES ${c.references.table} (id) ON DELETE ${c.references.onDelete}` : null,
    checks: c.checks.map((check) => `(${check})`),
  };
}

/** Drops the constraints of one kind that involve exactly this column (their names are PostgreSQL's choice). */
function dropColumnConstraints(table: string, tableName: string, column: ColumnPlan, kind: 'c' | 'u' | 'f'): SqlStatement {
  const what = { c: 'CHECK', u: 'UNIQUE', f: 'FOREIGN KEY' }[kind];
  return {
    comment: `Drops the ${what} constraint(s) on ${tableName}.${column.name} (PostgreSQL named them).`,
    sql: `DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT conname FROM pg_constraint
    WHERE conrelid = '${table.replace(/'/g, "''")}'::regclass AND contype = '${kind}'
      AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = '${table.replace(/'/g, "''")}'::regclass AND attname = '${column.name}')]::int2[]
  LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', '${table.replace(/'/g, "''")}', r.conname);
  END LOOP;
END
$$;`,
  };
}

/**
 * Statements that turn column `from` into column `to` (same name, same table). `foreignKeyName`: the
 * name of the column's foreign key when it is known (dropped by name instead of by a catalogue lookup).
 */
function alterColumn(entity: EntityPlan, from: ColumnPlan, to: ColumnPlan, foreignKeyName?: string): { sql: SqlStatement[]; changes: string[] } {
  const a = columnConstraints(from);
  const b = columnConstraints(to);
  const t = entity.table;
  const c = to.sql;
  const sql: SqlStatement[] = [];
  const changes: string[] = [];
  const alter = (what: string) => `ALTER TABLE ${t} ALTER COLUMN ${c} ${what};`;
  if (a.type !== b.type) {
    changes.push(`type ${a.type} → ${b.type}`);
    sql.push({ comment: `${entity.tableName}.${to.name}: type ${a.type} → ${b.type} (rewrites the table; fails if a value does not convert).`, sql: alter(`TYPE ${b.type} USING ${c}::${b.type}`) });
  }
  if (a.default !== b.default) {
    changes.push(`default ${a.default ?? 'none'} → ${b.default ?? 'none'}`);
    sql.push({ comment: '', sql: alter(b.default === null ? 'DROP DEFAULT' : `SET DEFAULT ${b.default}`) });
  }
  if (a.notNull !== b.notNull) {
    changes.push(b.notNull ? 'NOT NULL' : 'nullable');
    sql.push({ comment: '', sql: alter(b.notNull ? 'SET NOT NULL' : 'DROP NOT NULL') });
  }
  if (a.checks.join('\n') !== b.checks.join('\n')) {
    changes.push('CHECK constraints');
    sql.push(dropColumnConstraints(t, entity.tableName, to, 'c'));
    for (const check of b.checks) sql.push({ comment: '', sql: `ALTER TABLE ${t} ADD CHECK ${check};` });
  }
  if (a.unique !== b.unique) {
    changes.push(b.unique ? 'UNIQUE' : 'not unique');
    if (b.unique) sql.push({ comment: '', sql: `ALTER TABLE ${t} ADD UNIQUE (${c});` });
    else sql.push(dropColumnConstraints(t, entity.tableName, to, 'u'));
  }
  if (a.references !== b.references) {
    changes.push(`foreign key ${b.references ?? 'removed'}`);
    sql.push(foreignKeyName ? { comment: '', sql: `ALTER TABLE ${t} DROP CONSTRAINT ${foreignKeyName};` } : dropColumnConstraints(t, entity.tableName, to, 'f'));
    if (b.references) sql.push({ comment: '', sql: `ALTER TABLE ${t} ADD FOREIGN KEY (${c}) ${b.references};` });
  }
  return { sql, changes };
}

function createIndex(index: IndexPlan): SqlStatement {
  return { comment: `Serves ${index.serves}.`, sql: index.sql };
}

function dropIndex(index: IndexPlan): SqlStatement {
  return { comment: '', sql: `DROP INDEX IF EXISTS ${index.name};` };
}

/** The append-only guard's objects, dropped (the reverse of appendOnlyGuard). */
function dropAppendOnlyGuard(entity: EntityPlan): SqlStatement[] {
  return [
    { comment: `${entity.name} is no longer append-only: rows may be changed and removed again.`, sql: `DROP TRIGGER ${entity.tableName}_append_only ON ${entity.table};` },
    { comment: '', sql: `DROP TRIGGER ${entity.tableName}_append_only_truncate ON ${entity.table};` },
    { comment: '', sql: `DROP FUNCTION ${entity.tableName}_refuse_change();` },
  ];
}

/**
 * Turning multi-tenancy on for a database that has rows (`update --existing-tenant <uuid>`): every
 * existing row and account is given that tenant.
 */
export interface EnableTenancy {
  /** The tenant (a uuid) every existing row is given. */
  existingTenant: string;
  /** Built-in tables that get the tenant column (the stream's tenantColumnTables). */
  columnTables: string[];
  /** Those of them held to row-level security (the stream's tenantTables). */
  rlsTables: string[];
}

/**
 * The tenant column added to a table that has rows: a constant default fills the existing rows without
 * rewriting the table or firing row triggers (updated_at, append-only), and is dropped at once, so
 * every new row must name its tenant (the API sets it from the token).
 */
function backfilledTenantColumn(table: string, tableName: string, tenancy: TenancyPlan, tenant: string): SqlStatement[] {
  return [
    {
      comment: `${tableName}: every existing row belongs to tenant ${tenant} (update --existing-tenant); a constant default fills them without rewriting the table or firing triggers.`,
      sql: `ALTER TABLE ${table} ADD COLUMN ${tenancy.columnSql} uuid NOT NULL DEFAULT '${tenant}';`,
    },
    { comment: '', sql: `ALTER TABLE ${table} ALTER COLUMN ${tenancy.columnSql} DROP DEFAULT;` },
  ];
}

/**
 * How the turn-on migration locks (its first statements). Its indexes are built with plain CREATE INDEX,
 * not CONCURRENTLY, on purpose:
 *  - node-pg-migrate runs a SQL migration's Up section as one query inside BEGIN/COMMIT (its
 *    sqlMigration.js has no directive for pgm.noTransaction(), which only JS/TS migrations can call), and
 *    PostgreSQL refuses CREATE INDEX CONCURRENTLY in a transaction or a multi-statement query;
 *  - the change is one step anyway: ADD COLUMN and ENABLE ROW LEVEL SECURITY take ACCESS EXCLUSIVE locks
 *    held to COMMIT, the composite foreign keys need the parents' (tenant, id) unique indexes built first,
 *    and the code deployed with it writes the tenant column that the code before it does not (its
 *    inserts would fail the NOT NULL): the tables take no writes between the two, concurrent index or not.
 * So it is applied in a short maintenance window; lock_timeout makes it give up (rolling back, nothing
 * applied) instead of queueing every query of the API behind its lock request while a long transaction
 * holds the tables.
 */
const TURN_ON_LOCKING: SqlStatement[] = [
  {
    comment:
      'Turning tenancy on rewrites the tenant tables in one transaction (ADD COLUMN and ROW LEVEL SECURITY lock them until COMMIT; node-pg-migrate runs a SQL migration in a transaction, so no CREATE INDEX CONCURRENTLY): apply it in a maintenance window, with the new code. If another transaction holds a table for more than 10 s the migration stops, nothing applied, instead of blocking the API behind it: run it again.',
    sql: "SET LOCAL lock_timeout = '10s';",
  },
];

/** The name PostgreSQL gives an unnamed composite foreign key (table_col1_col2_fkey), so up and down agree with the initial migration's. */
function compositeKeyName(tableName: string, constraint: string): string {
  const columns = /^FOREIGN KEY \(([^)]*)\)/.exec(constraint)![1]!.split(',').map((c) => c.trim().replace(/"/g, ''));
  return `${tableName}_${columns.join('_')}_fkey`.slice(0, 63);
}

/** The reverse of tenantIsolation on tables that keep existing: policies dropped, RLS off, privileges revoked. */
function tenancyOff(tenancy: TenancyPlan, tables: { table: string; tableName: string }[], isolationDown: SqlStatement[]): SqlStatement[] {
  return [
    ...tables.flatMap(({ table, tableName }) => [
      { comment: '', sql: `DROP POLICY ${tableName}_tenant_isolation ON ${table};` },
      { comment: '', sql: `ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY;` },
      { comment: '', sql: `ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY;` },
    ]),
    ...isolationDown,
  ];
}

/**
 * What a multi-tenant project's migrations lack on the built-in tables that hold tenant rows (the
 * stream's tenantTables, e.g. a table of job runs), compared with what this generator makes: a project
 * generated before the generator gave such a table its tenant column and row-level security.
 */
export interface TenancyGaps {
  /** Tenant tables without the tenant column. */
  columns: string[];
  /** Tenant tables without row-level security (enabled and forced) and the tenant policy. */
  rls: string[];
}

/**
 * Brings an already multi-tenant database up to date with the generator's tenant tables (TenancyGaps):
 *  - the tenant column, added nullable and filled by the blueprint's statements for that table (the
 *    stream's tenantBackfill: from what each row belongs to). A row left without a tenant (what it
 *    belonged to is gone, or is shared by every tenant) is kept with a NULL tenant: no tenant can read it
 *    through the policy, and nothing is deleted. With no such row the column becomes NOT NULL; otherwise
 *    a NOT VALID check makes every new or updated row name its tenant (VALIDATE CONSTRAINT it once those
 *    rows are dealt with);
 *  - the role's privileges, row-level security enabled and forced, and the tenant policy.
 */
export function catchUpTenancy(tenancy: TenancyPlan, gaps: TenancyGaps, backfill: Record<string, SqlStatement[]>): SchemaChange {
  const up: SqlStatement[] = [];
  const downBlocks: SqlStatement[][] = [];
  const summary: string[] = [];
  const col = tenancy.columnSql;
  up.push({ comment: 'The tables below are locked until COMMIT: if another transaction holds one for more than 10 s, stop (nothing applied) rather than block the API behind this migration; run it again.', sql: "SET LOCAL lock_timeout = '10s';" });
  for (const table of gaps.columns) {
    up.push({ comment: `${table} holds tenant rows: its ${tenancy.column} column, filled from what each row belongs to.`, sql: `ALTER TABLE ${table} ADD COLUMN ${col} uuid;` });
    up.push(...(backfill[table] ?? []));
    const check = `${table}_${tenancy.column}_not_null`.slice(0, 63);
    up.push({
      comment: `Rows whose tenant cannot be known (what they belong to is gone, or shared) are kept, readable by no tenant; every new row must name its tenant.`,
      sql: `DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM ${table} WHERE ${col} IS NULL) THEN
    RAISE NOTICE '${table}: % row(s) without a known tenant kept (no tenant can read them); new rows must name their tenant', (SELECT count(*) FROM ${table} WHERE ${col} IS NULL);
    ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (${col} IS NOT NULL) NOT VALID;
  ELSE
    ALTER TABLE ${table} ALTER COLUMN ${col} SET NOT NULL;
  END IF;
END
$$;`,
    });
    downBlocks.push([{ comment: '', sql: `ALTER TABLE ${table} DROP COLUMN ${col};` }]);
    summary.push(`add column ${table}.${tenancy.column} (${backfill[table]?.length ? "filled from each row's owner" : 'existing rows: no tenant'})`);
  }
  for (const table of gaps.rls) {
    const part = tenantBuiltInTable(tenancy, table);
    up.push(...part.up);
    downBlocks.push([
      { comment: '', sql: `DROP POLICY ${table}_tenant_isolation ON ${table};` },
      { comment: '', sql: `ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY;` },
      { comment: '', sql: `ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY;` },
      ...part.down,
    ]);
    summary.push(`row-level security on ${table} (tenant policy, forced)`);
  }
  const down = downBlocks.reverse().flat();
  return { up, down, summary, destructive: [], slug: `tenancy_${[...new Set([...gaps.columns, ...gaps.rls])].join('_')}`.slice(0, 60) };
}

/**
 * @param before entities as last generated; @param after entities wanted now, in creation order.
 * @param tenancy the project's multi-tenancy (a new tenant-owned table gets its RLS policy and grants).
 * @param enabling set when this change turns tenancy on for a database that has rows.
 */
export function diffSchema(before: EntityPlan[], after: EntityPlan[], tenancy: TenancyPlan | null = null, enabling: EnableTenancy | null = null): SchemaChange {
  const up: SqlStatement[] = [];
  const down: SqlStatement[] = [];
  const summary: string[] = [];
  const destructive: string[] = [];
  const slugParts: string[] = [];
  const old = new Map(before.map((e) => [e.name, e]));
  const now = new Map(after.map((e) => [e.name, e]));

  const createdTables: EntityPlan[] = [];
  const addColumns: SqlStatement[] = [];
  const alterColumns: SqlStatement[] = [];
  const createIndexes: SqlStatement[] = [];
  const dropIndexes: SqlStatement[] = [];
  /** Same name, new definition: dropped right before it is created again. */
  const replacedIndexes: SqlStatement[] = [];
  const dropColumns: SqlStatement[] = [];
  /** Append-only turned on or off: the guard triggers (after the columns they may read have changed). */
  const guards: SqlStatement[] = [];
  /** Undo steps, one block per change (a block keeps its own order; blocks are undone last-first). */
  const downBlocks: SqlStatement[][] = [];

  for (const entity of after) {
    const prev = old.get(entity.name);
    if (!prev) {
      createdTables.push(entity);
      summary.push(`create table ${entity.tableName} (${entity.columns.length} columns, ${entity.indexes.length} indexes)`);
      slugParts.push(`add_${entity.tableName}`);
      continue;
    }
    const prevColumns = new Map(prev.columns.map((c) => [c.name, c]));
    const nextColumns = new Map(entity.columns.map((c) => [c.name, c]));
    let touched = false;
    for (const column of entity.columns) {
      const was = prevColumns.get(column.name);
      if (!was && enabling && tenancy && entity.tenantScoped && column.name === tenancy.column) {
        touched = true;
        addColumns.push(...backfilledTenantColumn(entity.table, entity.tableName, tenancy, enabling.existingTenant));
        downBlocks.push([{ comment: '', sql: `ALTER TABLE ${entity.table} DROP COLUMN ${column.sql};` }]);
        summary.push(`add column ${entity.tableName}.${column.name} (existing rows: tenant ${enabling.existingTenant})`);
        continue;
      }
      if (!was) {
        touched = true;
        const ddl = columnConstraints(column);
        if (ddl.notNull && ddl.default === null)
          destructive.push(
            `${entity.name}.${column.name}: a NOT NULL column without a default cannot be added to a table that has rows (every existing row would violate it). Make the field optional, or give it a default.`,
          );
        addColumns.push({ comment: column.description || `New column ${entity.tableName}.${column.name}.`, sql: `ALTER TABLE ${entity.table} ADD COLUMN ${column.ddl};` });
        downBlocks.push([{ comment: '', sql: `ALTER TABLE ${entity.table} DROP COLUMN ${column.sql};` }]);
        summary.push(`add column ${entity.tableName}.${column.name}`);
      } else if (JSON.stringify(columnConstraints(was)) !== JSON.stringify(columnConstraints(column))) {
        touched = true;
        // Turning tenancy on moves a reference between tenant-owned tables into a composite key
        // (tenant, column) → parent (tenant, id), added below: every existing row has the same tenant, so it
        // holds. The single-column key it replaces was declared inline, so PostgreSQL named it <table>_<column>_fkey.
        const composite =
          enabling !== null && tenancy !== null && entity.tableConstraints.some((tc) => tc.startsWith(`FOREIGN KEY (${tenancy.columnSql}, ${column.sql})`));
        const change = alterColumn(entity, was, column, composite ? `${entity.tableName}_${column.name}_fkey`.slice(0, 63) : undefined);
        const back = alterColumn(entity, column, was);
        const onlyRelaxing = change.changes.every((c) => c === 'nullable' || c === 'not unique' || c.startsWith('default') || (composite && c === 'foreign key removed'));
        if (!onlyRelaxing)
          destructive.push(
            `${entity.name}.${column.name}: ${change.changes.join(', ')} changes an existing column; existing rows may not convert or may violate the new definition.`,
          );
        alterColumns.push(...change.sql);
        downBlocks.push(back.sql);
        const said = change.changes.map((c) => (composite && c === 'foreign key removed' ? `foreign key → (${tenancy!.column}, ${column.name}), within the tenant` : c));
        summary.push(`change column ${entity.tableName}.${column.name}: ${said.join(', ')}`);
      }
    }
    for (const was of prev.columns) {
      if (nextColumns.has(was.name)) continue;
      touched = true;
      destructive.push(`${entity.name}.${was.name}: dropping a column deletes its data in every row. Keep the field (optional: true) if in doubt.`);
      dropColumns.push({ comment: `Drops ${entity.tableName}.${was.name} and its data.`, sql: `ALTER TABLE ${entity.table} DROP COLUMN ${was.sql};` });
      downBlocks.push([{ comment: `Restores the column ${entity.tableName}.${was.name} (not its data).`, sql: `ALTER TABLE ${entity.table} ADD COLUMN ${was.ddl};` }]);
      summary.push(`drop column ${entity.tableName}.${was.name}`);
    }
    const prevIndexes = new Map(prev.indexes.map((i) => [i.name, i]));
    const nextIndexes = new Map(entity.indexes.map((i) => [i.name, i]));
    let indexed = false;
    for (const index of entity.indexes) {
      const was = prevIndexes.get(index.name);
      if (was && was.sql === index.sql) continue;
      indexed = true;
      if (was) replacedIndexes.push(dropIndex(was));
      createIndexes.push(createIndex(index));
      downBlocks.push(was ? [dropIndex(index), createIndex(was)] : [dropIndex(index)]);
      summary.push(`${was ? 'recreate' : 'add'} index ${index.name}`);
    }
    for (const was of prev.indexes) {
      if (nextIndexes.has(was.name)) continue;
      indexed = true;
      dropIndexes.push(dropIndex(was));
      downBlocks.push([createIndex(was)]);
      summary.push(`drop index ${was.name} (no declared query needs it any more)`);
    }
    if (entity.appendOnly !== prev.appendOnly) {
      // Turning append-only on is additive (no row changes; existing rows are frozen from now on), and
      // so is turning it off; the routes follow from the re-rendered templates (no PATCH/DELETE).
      touched = true;
      guards.push(...(entity.appendOnly ? appendOnlyGuard(entity) : dropAppendOnlyGuard(prev)));
      downBlocks.push(entity.appendOnly ? dropAppendOnlyGuard(entity) : appendOnlyGuard(prev));
      summary.push(`${entity.appendOnly ? 'make' : 'stop making'} ${entity.tableName} append-only (${entity.appendOnly ? 'a trigger refuses UPDATE, DELETE and TRUNCATE' : 'the refusing trigger dropped'})`);
    }
    if (touched) slugParts.push(`change_${entity.tableName}`);
    else if (indexed) slugParts.push(`index_${entity.tableName}`);
  }

  const droppedTables = before.filter((e) => !now.has(e.name));
  for (const entity of droppedTables) {
    destructive.push(`${entity.name}: dropping the table deletes all its rows.`);
    summary.push(`drop table ${entity.tableName}`);
    slugParts.push(`drop_${entity.tableName}`);
  }

  // Turning tenancy on: the built-in tables' tenant column, the composite keys (once the parents'
  // (tenant, id) unique indexes exist), then the role, the grants and row-level security on every table.
  const compositeKeys: SqlStatement[] = [];
  let isolation: { up: SqlStatement[]; down: SqlStatement[] } = { up: [], down: [] };
  if (enabling && tenancy) {
    summary.unshift(`turn multi-tenancy on (${tenancy.column}; existing rows and accounts: tenant ${enabling.existingTenant}; row-level security)`);
    slugParts.unshift('enable_tenancy');
    for (const table of enabling.columnTables) {
      addColumns.unshift(...backfilledTenantColumn(table, table, tenancy, enabling.existingTenant));
      downBlocks.unshift([{ comment: '', sql: `ALTER TABLE ${table} DROP COLUMN ${tenancy.columnSql};` }]);
    }
    for (const entity of after.filter((e) => old.has(e.name))) {
      const prev = old.get(entity.name)!;
      for (const constraint of entity.tableConstraints.filter((c) => !prev.tableConstraints.includes(c))) {
        const name = compositeKeyName(entity.tableName, constraint);
        compositeKeys.push({ comment: `${entity.tableName}: a row can only reference a row of its own tenant.`, sql: `ALTER TABLE ${entity.table} ADD CONSTRAINT ${name} ${constraint};` });
        downBlocks.push([{ comment: '', sql: `ALTER TABLE ${entity.table} DROP CONSTRAINT ${name};` }]);
      }
    }
    isolation = tenantIsolation(tenancy, after, enabling.rlsTables);
    const secured = [...enabling.rlsTables.map((t) => ({ table: t, tableName: t })), ...after.filter((e) => e.tenantScoped && old.has(e.name))];
    isolation.down = tenancyOff(tenancy, secured, isolation.down);
  }
  const createdTenancy = tenancy && !enabling ? createdTables.map((e) => tenantTable(tenancy, e)) : [];
  if (enabling && tenancy) up.push(...TURN_ON_LOCKING);
  up.push(...createdTables.flatMap(entityUp), ...createdTenancy.flatMap((t) => t.up), ...addColumns, ...alterColumns, ...replacedIndexes, ...createIndexes, ...dropIndexes, ...compositeKeys, ...dropColumns, ...guards, ...isolation.up);
  up.push(...[...droppedTables].reverse().flatMap((e) => entityDown(e).map((s) => ({ comment: `Drops ${e.tableName} and all its rows.`, sql: s.sql }))));
  // Down: undo in reverse order.
  down.push(...isolation.down);
  down.push(...droppedTables.flatMap(entityUp));
  down.push(...downBlocks.reverse().flat());
  down.push(...createdTenancy.flatMap((t) => t.down), ...[...createdTables].reverse().flatMap(entityDown));

  let slug = slugParts.join('_') || 'schema';
  if (slug.length > 60) slug = `${slugParts[0]}_and_more`.slice(0, 60);
  return { up, down, summary, destructive, slug };
}
