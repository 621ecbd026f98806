/**
 * Migrations as data, per stream: a stream's initial migration runs the blueprint's built-in statements
 * for that database, then creates its entity tables in dependency order, then every derived index
 * (each with the query it serves as its comment).
 * Later migrations (add/update) are computed the same way from what changed.
 */
import type { EntityPlan, MigrationPlan, MigrationStreamInput, SqlStatement, TenancyPlan } from './types.js';

export function migrationFileName(sequence: number, slug: string): string {
  return `${String(sequence).padStart(4, '0')}_${slug}.sql`;
}

export function entityUp(entity: EntityPlan): SqlStatement[] {
  // A composite key referencing the table itself needs its (tenant, id) unique index first: added last.
  const selfReference = (c: string) => c.includes(`REFERENCES ${entity.table} (`);
  const inline = entity.tableConstraints.filter((c) => !selfReference(c));
  const columns = [...entity.columns.map((c) => c.ddl), ...inline].map((d) => `  ${d}`).join(',\n');
  const statements: SqlStatement[] = [
    { comment: entity.description || `${entity.name} rows.`, sql: `CREATE TABLE ${entity.table} (\n${columns}\n);` },
    { comment: '', sql: `CREATE TRIGGER ${entity.tableName}_set_updated_at BEFORE UPDATE ON ${entity.table} FOR EACH ROW EXECUTE FUNCTION set_updated_at();` },
  ];
  if (entity.appendOnly) statements.push(...appendOnlyGuard(entity));
  for (const index of entity.indexes) statements.push({ comment: `Serves ${index.serves}.`, sql: index.sql });
  for (const c of entity.tableConstraints.filter(selfReference))
    statements.push({ comment: 'A row can only reference a row of its own tenant.', sql: `ALTER TABLE ${entity.table} ADD ${c};` });
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

export function initialMigration(stream: MigrationStreamInput, entities: EntityPlan[], tenancy: TenancyPlan | null = null): MigrationPlan {
  const own = entities.filter((e) => stream.entities.includes(e.name));
  const builtInTenantTables = tenancy ? (stream.tenantTables ?? []) : [];
  const isolation =
    tenancy && (own.some((e) => e.tenantScoped) || builtInTenantTables.length > 0) ? tenantIsolation(tenancy, own, builtInTenantTables) : { up: [], down: [] };
  const grants = tenancy ? (stream.tenantGrants ?? { up: [], down: [] }) : { up: [], down: [] };
  const derived = stream.derivedTables ?? [];
  return {
    fileName: migrationFileName(1, 'initial'),
    title: stream.initialTitle,
    up: [...stream.builtIn.up, ...derived.flatMap((t) => t.up), ...own.flatMap(entityUp), ...isolation.up, ...grants.up],
    down: [...grants.down, ...isolation.down, ...[...own].reverse().flatMap(entityDown), ...[...derived].reverse().flatMap((t) => t.down), ...stream.builtIn.down],
  };
}

/**
 * Tenant isolation in the database, behind the repository's `tenant = $1` predicates:
 *  - the role tenant transactions run as (SET LOCAL ROLE): NOLOGIN, no superuser, no BYPASSRLS, owning
 *    nothing, so row-level security applies to it; created once per cluster (roles are cluster-wide),
 *    granted to the migrating user so the API's connection may switch to it;
 *  - its privileges: rows of the entity tables (no UPDATE/DELETE on append-only ones), audit rows;
 *  - on each tenant-owned table, RLS enabled and FORCEd (the owner is held to it too) with one policy:
 *    a row is visible and writable only when its tenant column equals the transaction's app setting,
 *    which the API sets with set_config(…, true) (SET LOCAL) from the caller's token.
 */
export function tenantIsolation(tenancy: TenancyPlan, entities: EntityPlan[], builtInTables: string[] = []): { up: SqlStatement[]; down: SqlStatement[] } {
  const parts = [...builtInTables.map((t) => tenantBuiltInTable(tenancy, t)), ...entities.map((e) => tenantTable(tenancy, e))];
  return {
    up: [...tenantRole(tenancy), ...parts.flatMap((p) => p.up)],
    down: [
      ...parts.flatMap((p) => p.down),
      { comment: '', sql: `REVOKE ALL ON audit_log FROM ${tenancy.role};` },
      { comment: 'The role itself stays: roles are cluster-wide and other databases may use it.', sql: `REVOKE USAGE ON SCHEMA public FROM ${tenancy.role};` },
    ],
  };
}

/** The role tenant transactions run as, and what every tenant transaction needs (schema, audit rows). */
/**
 * CREATE ROLE that may run on a cluster where the role exists (another database's migrations created it, or
 * are creating it at the same moment: losing that race is fine), then makes the migrating user a member so
 * it may SET ROLE to it or hand it objects (a superuser already may). The role cannot log in, is no
 * superuser and cannot bypass row-level security. Blueprints get it as `kit.sql.createRole`. A migrating
 * user that may not create roles (a service's own role, one database per service) finds the role made, and
 * its membership granted, by whoever made the user: CREATE ROLE is only tried when the role is missing.
 */
export function createRoleSql(role: string): string {
  return `DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
    BEGIN
      CREATE ROLE ${role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
  IF NOT pg_has_role(current_user, '${role}', 'MEMBER') THEN
    GRANT ${role} TO CURRENT_USER;
  END IF;
END
$$;`;
}

function tenantRole(tenancy: TenancyPlan): SqlStatement[] {
  const { role } = tenancy;
  return [
    {
      comment: `The role tenant-scoped transactions run as (SET LOCAL ROLE ${role}): it cannot log in, is no superuser and cannot bypass row-level security.`,
      // Another database on the cluster may be creating it at the same moment: losing that race is fine.
      // The migrating user (the API's) becomes a member so it may SET ROLE (a superuser already may).
      sql: createRoleSql(role),
    },
    { comment: '', sql: `GRANT USAGE ON SCHEMA public TO ${role};` },
    { comment: 'Every mutation writes its audit row inside the same transaction.', sql: `GRANT INSERT ON audit_log TO ${role};` },
  ];
}

/** One table's part: the role's privileges on it and, when tenant-owned, RLS enabled, forced, with its policy. */
export function tenantTable(tenancy: TenancyPlan, e: EntityPlan): { up: SqlStatement[]; down: SqlStatement[] } {
  const { role } = tenancy;
  // A shared soft-deleted parent is checked with SELECT … FOR SHARE (a live parent, held until commit),
  // which PostgreSQL allows only with an UPDATE privilege on some column: deleted_at, nothing else.
  const shared = e.softDelete ? 'SELECT, UPDATE (deleted_at)' : 'SELECT';
  const privileges = !e.tenantScoped ? shared : e.appendOnly ? 'SELECT, INSERT' : 'SELECT, INSERT, UPDATE, DELETE';
  const why = !e.tenantScoped
    ? `${e.name} is shared by every tenant: read only (a tenant-owned row may reference it${e.softDelete ? '; FOR SHARE needs an UPDATE privilege' : ''}).`
    : e.appendOnly
      ? `${e.name} is append-only: no UPDATE or DELETE privilege either.`
      : '';
  const up: SqlStatement[] = [{ comment: why, sql: `GRANT ${privileges} ON ${e.table} TO ${role};` }];
  if (e.tenantScoped) up.push(...rowLevelSecurity(tenancy, e.name, e.table, e.tableName));
  return { up, down: [{ comment: '', sql: `REVOKE ALL ON ${e.table} FROM ${role};` }] };
}

/**
 * A built-in table holding tenant rows (the blueprint's `tenantTables`, e.g. its job runs): read, written
 * and updated inside tenant transactions, never deleted by one; held to the same policy as the
 * tenant-owned entities. Its name is a plain identifier (the blueprint's own table).
 */
export function tenantBuiltInTable(tenancy: TenancyPlan, table: string): { up: SqlStatement[]; down: SqlStatement[] } {
  const { role } = tenancy;
  return {
    up: [
      { comment: `${table} (built in) holds tenant rows: read, written and updated as the tenant, never deleted.`, sql: `GRANT SELECT, INSERT, UPDATE ON ${table} TO ${role};` },
      ...rowLevelSecurity(tenancy, table, table, table),
    ],
    down: [{ comment: '', sql: `REVOKE ALL ON ${table} FROM ${role};` }],
  };
}

/** RLS enabled and forced on a tenant-owned table, with its one policy (USING and WITH CHECK). */
function rowLevelSecurity(tenancy: TenancyPlan, what: string, table: string, tableName: string): SqlStatement[] {
  return [
    { comment: `${what} rows belong to one tenant: row-level security, FORCEd so that even the table owner is held to the policy.`, sql: `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;` },
    { comment: '', sql: `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;` },
    {
      comment: `A row is visible and writable only inside a transaction whose ${tenancy.setting} is its tenant (unset: no row).`,
      sql: `CREATE POLICY ${tableName}_tenant_isolation ON ${table} USING (${tenancy.policySql}) WITH CHECK (${tenancy.policySql});`,
    },
  ];
}
