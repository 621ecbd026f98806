// @ts-check
/** @typedef {import('../../../generators/blueprints/contract.js').Statement} Statement */

/**
 * The audit log the built-in tables create (below), as the plan states it (`plan.auditLog`): the
 * shared check schema.audit-log-partitioned finds it in the migrations by this name.
 * @type {import('../../../generators/plan/types.js').AuditLogPlan}
 */
export const AUDIT_LOG = { table: 'audit_log', partitionKey: 'created_at' };

/**
 * The built-in tables that hold tenant rows when the spec declares tenancy (they get the tenant column
 * here; the core adds their row-level security with the entities'): a blueprint using builtInTables
 * passes these as its stream's `tenantTables`.
 */
export const TENANT_TABLES = ['job_runs'];

/** Every built-in table with the tenant column (auth_users is read across tenants at sign-in: no policy). */
export const TENANT_COLUMN_TABLES = ['auth_users', ...TENANT_TABLES];

/**
 * The stream's `tenantBackfill`: how `update` fills job_runs' tenant column in a project made
 * multi-tenant before job_runs had one. A run is its job's entity's tenant (queue → the job → its
 * entity's row, by entity_id). The entity's table is FORCEd under row-level security, which holds the
 * migrating user (its owner) too, so FORCE is lifted for the one UPDATE and restored in the same
 * transaction (the ALTERs keep the table locked until COMMIT). A job on a shared entity (tenant: false)
 * has no tenant to take: its runs keep none.
 * @param {import('../../../generators/plan/types.js').DomainPlan} domain
 * @returns {Record<string, Statement[]>}
 */
export function tenantBackfill(domain) {
  const tenancy = domain.tenancy;
  if (!tenancy) return {};
  const col = tenancy.columnSql;
  /** @type {Statement[]} */
  const statements = [];
  for (const job of domain.jobs) {
    const entity = domain.entities.find((e) => e.name === job.entity);
    if (!entity?.tenantScoped) continue;
    statements.push(
      { comment: `${job.name}: a job run is its entity's (${entity.tableName}) tenant's; ${entity.tableName} is FORCEd under row-level security, lifted for this UPDATE only.`, sql: `ALTER TABLE ${entity.table} NO FORCE ROW LEVEL SECURITY;` },
      { comment: '', sql: `UPDATE job_runs AS r SET ${col} = e.${col} FROM ${entity.table} AS e WHERE r.queue = '${job.queue}' AND r.entity_id = e.id AND r.${col} IS NULL;` },
      { comment: '', sql: `ALTER TABLE ${entity.table} FORCE ROW LEVEL SECURITY;` },
    );
  }
  return { job_runs: statements };
}

/**
 * The built-in tables, first in the initial migration of a blueprint's one database (the monolith's and
 * the serverless blueprint's): auth users, the partitioned audit log, job runs (idempotent job
 * processing), and the updated_at trigger function. `jobStatuses` are the states a job_runs row can be
 * in (a blueprint whose job rows are written at enqueue time adds 'queued'; one with a dead-letter queue,
 * 'dead'); `extra` are the blueprint's own tables, after these. With multi-tenancy (`tenancy`) every user
 * belongs to a tenant (the token carries it), and so does every job run (TENANT_TABLES). `passwordHash`
 * names the hash the blueprint stores (the table's comment says it; default argon2id).
 * @param {import('../../../generators/blueprints/contract.js').PlannerKit} kit
 * @param {{ jobStatuses?: string[], extra?: { up: Statement[], down: Statement[] }, tenancy?: import('../../../generators/plan/types.js').TenancyPlan | null, passwordHash?: string }} [options]
 * @returns {{ up: Statement[], down: Statement[] }}
 */
export function builtInTables(kit, options = {}) {
  const jobStatuses = options.jobStatuses ?? ['active', 'completed', 'failed'];
  const extra = options.extra ?? { up: [], down: [] };
  const tenancy = options.tenancy ?? null;
  const passwordHash = options.passwordHash ?? 'argon2id';
  const { sqlString } = kit.sql;
  /** @type {Statement[]} */
  const up = [
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
    comment: `Accounts that can obtain access tokens; passwords are ${passwordHash} hashes, never plain text.${tenancy ? ' Each belongs to one tenant.' : ''}`,
    sql: `CREATE TABLE auth_users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),${tenancy ? `\n  ${tenancy.columnSql} uuid NOT NULL,` : ''}
  email varchar(320) NOT NULL UNIQUE CHECK (email LIKE '%_@_%'),
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN (${kit.roles.map(sqlString).join(', ')})),
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
    comment: `One row per job: makes processing idempotent (a retried or duplicated job finds its row) and keeps results for the status endpoint.${tenancy ? " Each belongs to the requester's tenant (row-level security: a tenant reads only its own jobs' results)." : ''}`,
    sql: `CREATE TABLE job_runs (${tenancy ? `\n  ${tenancy.columnSql} uuid NOT NULL,` : ''}
  queue text NOT NULL,
  job_id text NOT NULL,
  entity_id uuid,
  status text NOT NULL CHECK (status IN (${jobStatuses.map(sqlString).join(', ')})),
  attempts integer NOT NULL DEFAULT 0,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (queue, job_id)
);`,
  },
  { comment: '', sql: 'CREATE TRIGGER job_runs_set_updated_at BEFORE UPDATE ON job_runs FOR EACH ROW EXECUTE FUNCTION set_updated_at();' },
  ...extra.up,
];

  /** @type {Statement[]} */
  const down = [
  ...extra.down,
  { comment: '', sql: 'DROP TABLE job_runs;' },
  { comment: '', sql: 'DROP FUNCTION ensure_audit_log_partitions(integer);' },
  { comment: '', sql: 'DROP TABLE audit_log;' },
  { comment: '', sql: 'DROP TABLE auth_users;' },
  { comment: '', sql: 'DROP FUNCTION set_updated_at();' },
];
  return { up, down };
}
