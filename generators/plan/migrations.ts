/**
 * Migrations as data: the initial migration creates the built-in tables, then every entity table in
 * dependency order, then every derived index (each with the query it serves as its comment).
 * Later migrations (add/update) are computed the same way from what changed.
 */
import { ROLES } from '../domain/schema.js';
import { sqlString } from './columns.js';
import type { EntityPlan, MigrationPlan, SqlStatement } from './types.js';

export function migrationFileName(sequence: number, slug: string): string {
  return `${String(sequence).padStart(4, '0')}_${slug}.sql`;
}

const BUILT_IN_UP: SqlStatement[] = [
  {
    comment: 'Keeps updated_at honest on every UPDATE, whichever code path runs it (audit column).',
    sql: `CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END
$$;`,
  },
  {
    comment: 'Accounts that can obtain access tokens; passwords are argon2id hashes, never plain text.',
    sql: `CREATE TABLE auth_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email varchar(320) NOT NULL UNIQUE CHECK (email LIKE '%_@_%'),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN (${ROLES.map(sqlString).join(', ')})),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);`,
  },
  { comment: '', sql: 'CREATE TRIGGER auth_users_set_updated_at BEFORE UPDATE ON auth_users FOR EACH ROW EXECUTE FUNCTION set_updated_at();' },
  {
    comment: 'Audit log of every mutation, partitioned by month on created_at so old months can be detached and archived cheaply.',
    sql: `CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY,
  created_at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid,
  action text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  entity text NOT NULL,
  entity_id uuid NOT NULL,
  request_id text,
  changes jsonb,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);`,
  },
  { comment: 'Catches rows outside the monthly partitions so an insert never fails for lack of a partition.', sql: 'CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;' },
  {
    comment: 'Creates the monthly partitions from this month to months_ahead; the API calls it at boot.',
    sql: `CREATE FUNCTION ensure_audit_log_partitions(months_ahead integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  month_start date;
  partition_name text;
BEGIN
  FOR i IN 0..months_ahead LOOP
    month_start := (date_trunc('month', now()) + make_interval(months => i))::date;
    partition_name := format('audit_log_y%sm%s', to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
        partition_name, month_start, (month_start + interval '1 month')::date);
    END IF;
  END LOOP;
END
$$;`,
  },
  { comment: '', sql: 'SELECT ensure_audit_log_partitions(2);' },
  {
    comment: 'Serves the audit history of one row: WHERE entity = $1 AND entity_id = $2 ORDER BY created_at DESC.',
    sql: 'CREATE INDEX audit_log_entity_entity_id_created_at_idx ON audit_log (entity, entity_id, created_at DESC);',
  },
  {
    comment: 'One row per job: makes processing idempotent (a retried or duplicated job finds its row) and keeps results for the status endpoint.',
    sql: `CREATE TABLE job_runs (
  queue text NOT NULL,
  job_id text NOT NULL,
  entity_id uuid,
  status text NOT NULL CHECK (status IN ('active', 'completed', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, job_id)
);`,
  },
  { comment: '', sql: 'CREATE TRIGGER job_runs_set_updated_at BEFORE UPDATE ON job_runs FOR EACH ROW EXECUTE FUNCTION set_updated_at();' },
];

const BUILT_IN_DOWN: SqlStatement[] = [
  { comment: '', sql: 'DROP TABLE job_runs;' },
  { comment: '', sql: 'DROP FUNCTION ensure_audit_log_partitions(integer);' },
  { comment: '', sql: 'DROP TABLE audit_log;' },
  { comment: '', sql: 'DROP TABLE auth_users;' },
  { comment: '', sql: 'DROP FUNCTION set_updated_at();' },
];

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

export function initialMigration(entities: EntityPlan[]): MigrationPlan {
  return {
    fileName: migrationFileName(1, 'initial'),
    title: 'Initial schema: built-in tables, entity tables, derived indexes',
    up: [...BUILT_IN_UP, ...entities.flatMap(entityUp)],
    down: [...[...entities].reverse().flatMap(entityDown), ...BUILT_IN_DOWN],
  };
}
