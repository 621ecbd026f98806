/**
 * Migrations as data, per stream: a stream's initial migration runs the blueprint's built-in statements
 * for that database, then creates its entity tables in dependency order, then every derived index
 * (each with the query it serves as its comment).
 * Later migrations (add/update) are computed the same way from what changed.
 */
import type { EntityPlan, MigrationPlan, MigrationStreamInput, SqlStatement } from './types.js';

export function migrationFileName(sequence: number, slug: string): string {
  return `${String(sequence).padStart(4, '0')}_${slug}.sql`;
}

export function entityUp(entity: EntityPlan): SqlStatement[] {
  const columns = entity.columns.map((c) => `  ${c.ddl}`).join(',\n');
  const statements: SqlStatement[] = [
    { comment: entity.description || `${entity.name} rows.`, sql: `CREATE TABLE ${entity.table} (\n${columns}\n);` },
    { comment: '', sql: `CREATE TRIGGER ${entity.tableName}_set_updated_at BEFORE UPDATE ON ${entity.table} FOR EACH ROW EXECUTE FUNCTION set_updated_at();` },
  ];
  if (entity.appendOnly) statements.push(...appendOnlyGuard(entity));
  for (const index of entity.indexes) statements.push({ comment: `Serves ${index.serves}.`, sql: index.sql });
  return statements;
}

/**
 * Append-only in the database itself, whichever code path (or psql session) tries: UPDATE, DELETE and
 * TRUNCATE raise restrict_violation (the API answers 409 if one ever reaches it). Only the table owner
 * can drop the triggers, in a migration.
 */
export function appendOnlyGuard(entity: EntityPlan): SqlStatement[] {
  const fn = `${entity.tableName}_refuse_change`;
  return [
    {
      comment: `${entity.name} is append-only: rows are written once and never changed or removed.`,
      sql: `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END
$$;`,
    },
    { comment: '', sql: `CREATE TRIGGER ${entity.tableName}_append_only BEFORE UPDATE OR DELETE ON ${entity.table} FOR EACH ROW EXECUTE FUNCTION ${fn}();` },
    { comment: '', sql: `CREATE TRIGGER ${entity.tableName}_append_only_truncate BEFORE TRUNCATE ON ${entity.table} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();` },
  ];
}

export function entityDown(entity: EntityPlan): SqlStatement[] {
  return [
    { comment: '', sql: `DROP TABLE ${entity.table};` },
    ...(entity.appendOnly ? [{ comment: '', sql: `DROP FUNCTION ${entity.tableName}_refuse_change();` }] : []),
  ];
}

export function initialMigration(stream: MigrationStreamInput, entities: EntityPlan[]): MigrationPlan {
  const own = entities.filter((e) => stream.entities.includes(e.name));
  return {
    fileName: migrationFileName(1, 'initial'),
    title: stream.initialTitle,
    up: [...stream.builtIn.up, ...own.flatMap(entityUp)],
    down: [...[...own].reverse().flatMap(entityDown), ...stream.builtIn.down],
  };
}
