/**
 * `update` turning multi-tenancy on for a project whose database has rows, against real PostgreSQL
 * (DATABASE_URL, e.g. via `node test/support/with-servers.js npx vitest run test/regen/tenancy.test.ts`):
 * refused with what to do until the user names the tenant of today's rows (--existing-tenant); then one
 * additive migration that backfills the tenant column on every table (accounts and job runs included),
 * makes uniques and references tenant-scoped, and turns row-level security on — applied to a database
 * with rows, the rows are the named tenant's, another tenant sees none, and the down migration undoes it.
 * Hand edits are kept; verify's tenant isolation check passes on the result.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../generators/core/errors.js';
import { readManifest } from '../../generators/core/manifest.js';
import { runRegen } from '../../generators/regen/run.js';
import { replaceSpecChange } from '../../generators/regen/spec-change.js';
import { findServerBinaries } from '../../generators/servers/throwaway.js';
import { runVerify } from '../../generators/verify/run.js';
import { readFileSync } from 'node:fs';
import { commitTree } from '../../generators/core/commit.js';
import { answersSchema } from '../../generators/core/manifest.js';
import { loadSpecFile, parseSpecText } from '../../generators/domain/load.js';
import { EXAMPLE_SPEC_PATH } from '../../generators/core/version.js';
import { generateProject } from '../../generators/pipeline/generate.js';
import { copyProject, folderHashes, generateExample, read, tempDir } from './helpers.js';

const ROLE = 'acme_tasks_tenant_app';

/** psql on a database of its own, created for `use` and dropped after. */
async function withDatabase(use: (db: (input: string) => Promise<{ exitCode?: number; stdout: string; stderr: string }>) => Promise<void>): Promise<void> {
  const bin = findServerBinaries().psql ?? 'psql';
  const psql = (url: string, input: string) => execa(bin, [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'], { input, reject: false });
  const name = `regen_tenancy_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  await psql(process.env.DATABASE_URL!, `CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  try {
    await use((input) => psql(url.toString(), input));
  } finally {
    await psql(process.env.DATABASE_URL!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
/** A migrating user that owns the tables and is no superuser (the throwaway server's own user is one). */
const MIGRATOR = 'regen_tenancy_migrator';
const HAND_EDIT = '// Hand edit: kept across update.\n';

let root: string;
let pristine: string;

beforeAll(async () => {
  root = tempDir('tenancy');
  pristine = path.join(root, 'pristine');
  await generateExample(pristine);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs SQL through `db`, requires exit 0 and returns its trimmed output. */
const succeeds = (db: (input: string) => Promise<{ exitCode?: number; stdout: string; stderr: string }>) => async (input: string) => {
  const r = await db(input);
  expect(r.exitCode, `${input}\n${r.stderr}`).toBe(0);
  return r.stdout.trim();
};

/** `statement` in one transaction as a tenant role (default: tasks-saas's), for tenant `t` (what withTenant does). */
const asTenant = (t: string, statement: string, role = 'tasks_saas_tenant_app') => `BEGIN;\nSELECT set_config('role', '${role}', true), set_config('app.tenant_id', '${t}', true) \\g /dev/null\n${statement};\nCOMMIT;`;

/** Static verify on the updated project: tenant isolation passes and no check fails. */
async function expectStaticVerifyPasses(dir: string): Promise<void> {
  const report = await runVerify({ dir, staticOnly: true });
  const isolation = report.results.find((r) => r.id === 'schema.tenant-isolation')!;
  expect(isolation.status, `${isolation.summary}\n${(isolation.evidence ?? []).map((e) => e.text).join('\n')}`).toBe('pass');
  expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.summary}\n${(r.evidence ?? []).map((e) => e.text).join('\n')}`)).toEqual([]);
}

/**
 * tasks-saas generated with `blueprint` as it was before tenancy (no tenancy, no `tenant: false`), committed,
 * then `update` to the multi-tenant spec with the tenant of today's rows named: the project, its first
 * migration, the tenant, the result and the new migration's up and down.
 */
async function saasTurnedMultiTenant(blueprint: string, folder: string) {
  const saas = readFileSync('test/fixtures/specs/tasks-saas.yaml', 'utf8');
  const single = saas.replace('tenancy: { column: tenant_id }\n', '').replace('    tenant: false\n', '');
  const dir = path.join(root, folder);
  const { tree } = await generateProject({ targetDir: dir, answers: answersSchema.parse({ name: 'tasks-saas', blueprint }), spec: parseSpecText(single, 'single.yaml') });
  await commitTree(tree);
  const initial = read(dir, 'migrations/0001_initial.sql');
  const tenant = randomUUID();
  const result = await runRegen({ dir, generator: 'update', change: replaceSpecChange(parseSpecText(saas, 'tasks-saas.yaml'), 'tasks-saas.yaml'), existingTenant: tenant });
  expect(result.conflicts).toEqual([]);
  const [up, down] = read(dir, result.migration!.file).split(/^-- Down Migration/m) as [string, string];
  return { dir, initial, tenant, result, up, down };
}

async function withTenancy(dir: string) {
  const manifest = await readManifest(dir);
  const spec = structuredClone(manifest.spec);
  spec.tenancy = { column: 'tenant_id' };
  return replaceSpecChange(spec, 'spec.yaml');
}

describe('update turning multi-tenancy on', () => {
  it('is refused, saying what to do, until the tenant of existing rows is named; nothing is written', async () => {
    const dir = copyProject(pristine, path.join(root, 'refused'));
    const before = folderHashes(dir);
    const err = await runRegen({ dir, generator: 'update', change: await withTenancy(dir), allowDestructive: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/Turning multi-tenancy on: every existing row and account needs a tenant/);
    expect((err as Error).message).toContain('adds tenant_id to auth_users, job_runs, team, project, task');
    expect((err as UserError).hint).toMatch(/--existing-tenant <uuid>/);
    const bad = await runRegen({ dir, generator: 'update', change: await withTenancy(dir), existingTenant: 'acme' }).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/--existing-tenant "acme": must be a uuid/);
    const pointless = await runRegen({ dir, generator: 'update', change: replaceSpecChange((await readManifest(dir)).spec, 'spec.yaml'), existingTenant: randomUUID() }).catch((e: unknown) => e);
    expect((pointless as Error).message).toMatch(/--existing-tenant only applies when the change turns multi-tenancy on/);
    expect(folderHashes(dir)).toEqual(before);
  }, 60_000);

  it('writes one additive migration: applied to a database with rows, they are the named tenant\'s, held by RLS; down undoes it', async () => {
    expect(process.env.DATABASE_URL, 'DATABASE_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    const dir = copyProject(pristine, path.join(root, 'enabled'));
    const service = 'src/modules/team/service.ts';
    writeFileSync(path.join(dir, service), HAND_EDIT + read(dir, service));
    const tenant = randomUUID();
    const result = await runRegen({ dir, generator: 'update', change: await withTenancy(dir), existingTenant: tenant });
    expect(result.conflicts).toEqual([]);
    expect(result.migration?.file).toMatch(/^migrations\/0002_enable_tenancy/);
    expect(read(dir, service).startsWith(HAND_EDIT)).toBe(true);
    expect(read(dir, 'src/modules/team/repository.ts')).toMatch(/WHERE tenant_id = \$\{tenantId\}/);
    const sql = read(dir, result.migration!.file);
    const [up, down] = sql.split(/^-- Down Migration/m) as [string, string];
    expect(up).toContain(`ALTER TABLE task ADD COLUMN tenant_id uuid NOT NULL DEFAULT '${tenant}';`);
    expect(up).toContain('ALTER TABLE task ALTER COLUMN tenant_id DROP DEFAULT;');
    expect(up).toContain(`ALTER TABLE auth_users ADD COLUMN tenant_id uuid NOT NULL DEFAULT '${tenant}';`);
    expect(up).toMatch(/ALTER TABLE task ADD CONSTRAINT task_tenant_id_project_id_fkey FOREIGN KEY \(tenant_id, project_id\) REFERENCES project \(tenant_id, id\) ON DELETE CASCADE;/);
    expect(up).toContain('ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;');
    expect(read(dir, 'migrations/0001_initial.sql')).toBe(read(pristine, 'migrations/0001_initial.sql'));

    const bin = findServerBinaries().psql ?? 'psql';
    const psql = (url: string, input: string) => execa(bin, [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'], { input, reject: false });
    const name = `regen_tenancy_${Date.now().toString(36)}`;
    await psql(process.env.DATABASE_URL!, `CREATE DATABASE ${name}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    const db = (input: string) => psql(url.toString(), input);
    const ok = succeeds(db);
    const asAcmeTenant = (t: string, statement: string) => asTenant(t, statement, ROLE);
    try {
      await ok(read(dir, 'migrations/0001_initial.sql').split(/^-- Down Migration/m)[0]!);
      const teamId = await ok("INSERT INTO team (name) VALUES ('acme') RETURNING id");
      const projectId = await ok(`INSERT INTO project (team_id, name) VALUES ('${teamId}', 'launch') RETURNING id`);
      await ok(`INSERT INTO task (project_id, title) VALUES ('${projectId}', 'ship it')`);
      await ok("INSERT INTO auth_users (email, password_hash, role) VALUES ('old@example.com', 'x', 'admin')");
      await ok(`INSERT INTO job_runs (queue, job_id, entity_id, status) VALUES ('export-project', 'j1', '${projectId}', 'completed')`);
      const updatedAt = await ok('SELECT updated_at FROM task');

      await ok(up);
      // Every existing row is the named tenant's (and its updated_at untouched: no row was rewritten).
      expect(await ok(asAcmeTenant(tenant, 'SELECT count(*) FROM team; SELECT count(*) FROM project; SELECT count(*) FROM task; SELECT count(*) FROM job_runs'))).toBe('1\n1\n1\n1');
      expect(await ok(asAcmeTenant(tenant, 'SELECT updated_at FROM task'))).toBe(updatedAt);
      expect(await ok('SELECT tenant_id FROM auth_users')).toBe(tenant);
      // Another tenant sees none of it (as the role; this throwaway server's user is a superuser, which RLS never binds).
      const other = randomUUID();
      expect(await ok(asAcmeTenant(other, 'SELECT count(*) FROM team; SELECT count(*) FROM task; SELECT count(*) FROM job_runs'))).toBe('0\n0\n0');
      expect(await ok("SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class WHERE relname IN ('team', 'project', 'task', 'job_runs')")).toBe('t');
      // Uniques are per tenant now; references stay within a tenant.
      await ok(asAcmeTenant(other, "INSERT INTO team (tenant_id, name) VALUES (current_setting('app.tenant_id')::uuid, 'acme')"));
      expect((await db(asAcmeTenant(tenant, "INSERT INTO team (tenant_id, name) VALUES (current_setting('app.tenant_id')::uuid, 'acme')"))).stderr).toMatch(/duplicate key value violates unique constraint "team_tenant_id_name_key"/);
      expect((await db(asAcmeTenant(other, `INSERT INTO project (tenant_id, team_id, name) VALUES (current_setting('app.tenant_id')::uuid, '${teamId}', 'theirs')`))).stderr).toMatch(/violates foreign key constraint "project_tenant_id_team_id_fkey"/);
      expect((await db(asAcmeTenant(tenant, `INSERT INTO team (tenant_id, name) VALUES ('${other}', 'smuggled')`))).stderr).toMatch(/new row violates row-level security policy/);
      expect(await ok(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = '${ROLE}'`)).toBe('f|f');

      // Down restores the global unique on team.name: the other tenant's 'acme' must go first.
      await ok(asAcmeTenant(other, 'DELETE FROM team'));
      await ok(down!);
      expect(await ok("SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id' AND table_schema = 'public'")).toBe('0');
      expect(await ok("SELECT count(*) FROM pg_class WHERE relname IN ('team', 'project', 'task', 'job_runs') AND (relrowsecurity OR relforcerowsecurity)")).toBe('0');
      expect(await ok("SELECT count(*) FROM task; SELECT count(*) FROM auth_users")).toBe('1\n1');
    } finally {
      await psql(process.env.DATABASE_URL!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }

    const report = await runVerify({ dir, staticOnly: true });
    const isolation = report.results.find((r) => r.id === 'schema.tenant-isolation')!;
    expect(isolation.status, `${isolation.summary}\n${(isolation.evidence ?? []).map((e) => e.text).join('\n')}`).toBe('pass');
    expect(isolation.summary).toMatch(/^4 tenant-owned table\(s\)/);
    const failed = report.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.summary}\n${(r.evidence ?? []).map((e) => e.text).join('\n')}`);
    expect(failed).toEqual([]);
  }, 120_000);

  it('the turn-on migration runs in one transaction and gives up, nothing applied, when a table stays locked (lock_timeout), instead of blocking the API behind it', async () => {
    expect(process.env.DATABASE_URL, 'DATABASE_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    const dir = copyProject(pristine, path.join(root, 'locked'));
    const result = await runRegen({ dir, generator: 'update', change: await withTenancy(dir), existingTenant: randomUUID() });
    const [up] = read(dir, result.migration!.file).split(/^-- Down Migration/m) as [string, string];
    expect(up).toMatch(/no CREATE INDEX CONCURRENTLY\): apply it in a maintenance window/);
    expect(up).not.toMatch(/CONCURRENTLY ON|INDEX CONCURRENTLY \w/);
    await withDatabase(async (db) => {
      const ok = async (input: string) => {
        const r = await db(input);
        expect(r.exitCode, `${input}\n${r.stderr}`).toBe(0);
      };
      await ok(read(dir, 'migrations/0001_initial.sql').split(/^-- Down Migration/m)[0]!);
      // As node-pg-migrate applies a SQL migration: BEGIN, the Up section, COMMIT. Another session holds task.
      const holder = db("SET application_name = 'regen_lock_holder';\nBEGIN;\nLOCK TABLE task IN ACCESS SHARE MODE;\nSELECT pg_sleep(60);\nCOMMIT;");
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const started = Date.now();
        const blocked = await db(`BEGIN;\n${up}\nCOMMIT;`);
        const waited = Date.now() - started;
        expect(blocked.exitCode).not.toBe(0);
        expect(blocked.stderr).toMatch(/canceling statement due to lock timeout/);
        expect(waited).toBeGreaterThanOrEqual(9_000);
        expect(waited).toBeLessThan(30_000);
        expect((await db("SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id'")).stdout.trim()).toBe('0');
      } finally {
        // Its server process sleeps on after the client goes: end it on the server.
        await db("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'regen_lock_holder'");
        await holder;
      }
      // Nothing holds the tables: the same transaction applies.
      await ok(`BEGIN;\n${up}\nCOMMIT;`);
      expect((await db("SELECT count(*) FROM information_schema.columns WHERE table_name = 'task' AND column_name = 'tenant_id'")).stdout.trim()).toBe('1');
    });
  }, 120_000);

  it('on the tasks-saas shapes (a shared catalogue, a self-reference with set-null, a composite unique, an append-only log): applies to a database with rows', async () => {
    expect(process.env.DATABASE_URL, 'DATABASE_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    const { dir, tenant, up, down } = await saasTurnedMultiTenant('monolith-cache', 'saas');
    expect(up).toContain('ALTER TABLE task ADD CONSTRAINT task_tenant_id_parent_id_fkey FOREIGN KEY (tenant_id, parent_id) REFERENCES task (tenant_id, id) ON DELETE SET NULL (parent_id);');
    expect(up).toContain('GRANT SELECT ON plan TO tasks_saas_tenant_app;');
    expect(up).toContain('CREATE UNIQUE INDEX task_tenant_id_project_id_title_key ON task (tenant_id, project_id, title);');
    expect(up).toContain('DROP INDEX IF EXISTS task_project_id_title_key;');
    expect(up).not.toContain('ALTER TABLE plan ADD COLUMN tenant_id');

    await withDatabase(async (db) => {
      const ok = succeeds(db);
      await ok(read(dir, 'migrations/0001_initial.sql').split(/^-- Down Migration/m)[0]!);
      const planId = await ok("INSERT INTO plan (code, seats) VALUES ('pro', 5) RETURNING id");
      const projectId = await ok(`INSERT INTO project (name, plan_id) VALUES ('launch', '${planId}') RETURNING id`);
      const parentId = await ok(`INSERT INTO task (project_id, title) VALUES ('${projectId}', 'epic') RETURNING id`);
      const taskId = await ok(`INSERT INTO task (project_id, parent_id, title) VALUES ('${projectId}', '${parentId}', 'story') RETURNING id`);
      await ok(`INSERT INTO activity (task_id, kind) VALUES ('${taskId}', 'created')`);

      await ok(up);
      expect(await ok(asTenant(tenant, 'SELECT count(*) FROM project; SELECT count(*) FROM task; SELECT count(*) FROM activity; SELECT count(*) FROM plan'))).toBe('1\n2\n1\n1');
      expect(await ok(asTenant(randomUUID(), 'SELECT count(*) FROM task; SELECT count(*) FROM activity; SELECT count(*) FROM plan'))).toBe('0\n0\n1');
      // The log is still append-only; the self-reference still nulls out within the tenant.
      expect((await db(asTenant(tenant, 'UPDATE activity SET note = NULL'))).stderr).toMatch(/permission denied|append-only/);
      await ok(asTenant(tenant, `DELETE FROM task WHERE id = '${parentId}'`));
      expect(await ok(asTenant(tenant, `SELECT tenant_id, parent_id IS NULL FROM task WHERE id = '${taskId}'`))).toBe(`${tenant}|t`);
      // The composite unique holds, now led by the tenant: a second 'story' in the same project is refused.
      expect((await db(asTenant(tenant, `INSERT INTO task (tenant_id, project_id, title) VALUES ('${tenant}', '${projectId}', 'story')`))).stderr).toMatch(/task_tenant_id_project_id_title_key/);
      await ok(down);
    });
  }, 120_000);
});

/**
 * A project made multi-tenant before job_runs held tenant rows: its initial migration has no tenant
 * column and no row-level security on job_runs. Made here by generating with this tool and taking exactly
 * those statements out of migrations/0001_initial.sql (the applied migration of such a project).
 */
function withoutJobRunsTenancy(initial: string): string {
  const out = initial
    .replace(/(CREATE TABLE job_runs \(\n)  tenant_id uuid NOT NULL,\n/, '$1')
    .replace(/-- job_runs \(built in\) holds tenant rows[^\n]*\nGRANT SELECT, INSERT, UPDATE ON job_runs TO \w+;\n\n/, '')
    .replace(/-- job_runs rows belong to one tenant[^\n]*\nALTER TABLE job_runs ENABLE ROW LEVEL SECURITY;\n\nALTER TABLE job_runs FORCE ROW LEVEL SECURITY;\n\n-- [^\n]*\nCREATE POLICY job_runs_tenant_isolation [^\n]*\n\n/, '')
    .replace(/REVOKE ALL ON job_runs FROM \w+;\n\n?/, '');
  if (/tenant_id uuid NOT NULL,\n  queue|ON job_runs TO|job_runs_tenant_isolation|job_runs (ENABLE|FORCE)|ON job_runs FROM/.test(out)) throw new Error('the initial migration changed shape: strip job_runs tenancy by hand here');
  return out;
}

describe('update on a project made multi-tenant before job_runs held tenant rows', () => {
  it('verify fails it; update adds the tenant column (filled from each run\'s entity) and RLS in one additive migration, applied to rows; down undoes it', async () => {
    expect(process.env.DATABASE_URL, 'DATABASE_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    const dir = path.join(root, 'old-tenant');
    const spec = { ...(await loadSpecFile(EXAMPLE_SPEC_PATH)), tenancy: { column: 'tenant_id' } };
    const { tree } = await generateProject({ targetDir: dir, answers: answersSchema.parse({ name: 'acme-tasks', blueprint: 'monolith-cache' }), spec });
    await commitTree(tree);
    const initialPath = path.join(dir, 'migrations/0001_initial.sql');
    const oldInitial = withoutJobRunsTenancy(read(dir, 'migrations/0001_initial.sql'));
    writeFileSync(initialPath, oldInitial);

    // The premise: verify judges the project as its migrations leave it, and job_runs holds tenant rows.
    const before = (await runVerify({ dir, staticOnly: true })).results.find((r) => r.id === 'schema.tenant-isolation')!;
    expect(before.status).toBe('fail');
    expect(before.evidence?.map((e) => e.text).join('\n')).toMatch(/job_runs is tenant-owned by the blueprint \(it holds tenant rows\), but no migration gives it a tenant_id column/);

    const service = 'src/modules/team/service.ts';
    writeFileSync(path.join(dir, service), HAND_EDIT + read(dir, service));
    const result = await runRegen({ dir, generator: 'update', change: replaceSpecChange((await readManifest(dir)).spec, 'spec.yaml') });
    expect(result.conflicts).toEqual([]);
    expect(result.migrations.map((m) => m.file)).toEqual(['migrations/0002_tenancy_job_runs.sql']);
    expect(result.migration!.summary).toEqual(['add column job_runs.tenant_id (filled from each row\'s owner)', 'row-level security on job_runs (tenant policy, forced)']);
    expect(read(dir, service).startsWith(HAND_EDIT)).toBe(true);
    expect(read(dir, 'migrations/0001_initial.sql')).toBe(oldInitial);
    const [up, down] = read(dir, result.migration!.file).split(/^-- Down Migration/m) as [string, string];
    expect(up).toContain('ALTER TABLE job_runs ADD COLUMN tenant_id uuid;');
    expect(up).toContain("UPDATE job_runs AS r SET tenant_id = e.tenant_id FROM project AS e WHERE r.queue = 'export-project' AND r.entity_id = e.id AND r.tenant_id IS NULL;");
    // Applying the same update again finds nothing to do.
    const again = await runRegen({ dir, generator: 'update', change: replaceSpecChange((await readManifest(dir)).spec, 'spec.yaml') });
    expect(again.migrations).toEqual([]);

    await withDatabase(async (db) => {
      const ok = succeeds(db);
      const asAcmeTenant = (t: string, statement: string) => asTenant(t, statement, ROLE);
      // Migrated as a user that owns the tables and is no superuser (as in production): FORCEd row-level
      // security holds it too, so the backfill must lift it to read the entities' tenants.
      await ok(`DO $$ BEGIN CREATE ROLE ${MIGRATOR} LOGIN NOSUPERUSER CREATEROLE; EXCEPTION WHEN duplicate_object THEN NULL; END $$; GRANT CREATE ON SCHEMA public TO ${MIGRATOR};`);
      const asMigrator = (sql: string) => `SET ROLE ${MIGRATOR};\n${sql}`;
      await ok(asMigrator(oldInitial.split(/^-- Down Migration/m)[0]!));
      expect(await ok("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'job_runs'")).toBe(MIGRATOR);
      const [a, b] = [randomUUID(), randomUUID()];
      const teamA = await ok(asAcmeTenant(a, `INSERT INTO team (tenant_id, name) VALUES ('${a}', 'a') RETURNING id`));
      const teamB = await ok(asAcmeTenant(b, `INSERT INTO team (tenant_id, name) VALUES ('${b}', 'b') RETURNING id`));
      const projectA = await ok(asAcmeTenant(a, `INSERT INTO project (tenant_id, team_id, name) VALUES ('${a}', '${teamA.split('\n')[0]}', 'pa') RETURNING id`));
      const projectB = await ok(asAcmeTenant(b, `INSERT INTO project (tenant_id, team_id, name) VALUES ('${b}', '${teamB.split('\n')[0]}', 'pb') RETURNING id`));
      // Job runs as the old code wrote them (no tenant): one per project, and one whose project is gone.
      await ok(`INSERT INTO job_runs (queue, job_id, entity_id, status) VALUES ('export-project', 'ja', '${projectA.split('\n')[0]}', 'completed'), ('export-project', 'jb', '${projectB.split('\n')[0]}', 'completed'), ('export-project', 'gone', '${randomUUID()}', 'failed')`);

      await ok(asMigrator(up));
      expect(await ok(asAcmeTenant(a, 'SELECT job_id FROM job_runs'))).toBe('ja');
      expect(await ok(asAcmeTenant(b, 'SELECT job_id FROM job_runs'))).toBe('jb');
      expect(await ok(asAcmeTenant(randomUUID(), 'SELECT count(*) FROM job_runs'))).toBe('0');
      // The run whose project is gone is kept, readable by no tenant; a new row must name its tenant.
      expect(await ok('SELECT job_id FROM job_runs WHERE tenant_id IS NULL')).toBe('gone');
      expect(await ok("SELECT convalidated FROM pg_constraint WHERE conname = 'job_runs_tenant_id_not_null'")).toBe('f');
      expect((await db("INSERT INTO job_runs (queue, job_id, status) VALUES ('export-project', 'x', 'active')")).stderr).toMatch(/job_runs_tenant_id_not_null/);
      expect((await db(asAcmeTenant(a, `INSERT INTO job_runs (tenant_id, queue, job_id, status) VALUES ('${b}', 'export-project', 'smuggled', 'active')`))).stderr).toMatch(/new row violates row-level security policy/);
      expect(await ok("SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relname IN ('job_runs', 'project') ORDER BY relname")).toBe('t\nt');
      await ok(asMigrator(down));
      expect(await ok("SELECT count(*) FROM information_schema.columns WHERE table_name = 'job_runs' AND column_name = 'tenant_id'")).toBe('0');
      expect(await ok("SELECT relrowsecurity OR relforcerowsecurity FROM pg_class WHERE relname = 'job_runs'")).toBe('f');
      expect(await ok('SELECT count(*) FROM job_runs')).toBe('3');
    });

    // With no run left without a tenant, the column is NOT NULL like a fresh project's.
    await withDatabase(async (db) => {
      const r = await db(`${oldInitial.split(/^-- Down Migration/m)[0]!}\n${up}\nSELECT is_nullable FROM information_schema.columns WHERE table_name = 'job_runs' AND column_name = 'tenant_id';`);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('NO');
    });

    const report = await runVerify({ dir, staticOnly: true });
    const isolation = report.results.find((r) => r.id === 'schema.tenant-isolation')!;
    expect(isolation.status, `${isolation.summary}\n${(isolation.evidence ?? []).map((e) => e.text).join('\n')}`).toBe('pass');
    expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.summary}`)).toEqual([]);
  }, 180_000);
});

describe('update turning multi-tenancy on for a hybrid project', () => {
  it("adds the stream's tenant grants (outbox privileges, the job monitor role, offloaded_job_states()) after row-level security; applied to rows as a non-superuser; down undoes them", async () => {
    expect(process.env.DATABASE_URL, 'DATABASE_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    const { dir, initial, tenant, result, up, down } = await saasTurnedMultiTenant('hybrid', 'hybrid');
    expect(initial).not.toContain('offloaded_job_states');
    expect(result.migrations.map((m) => m.file)).toEqual([expect.stringMatching(/^migrations\/0002_enable_tenancy/)]);
    // The grants come after the row-level security they rely on (the monitor's policy is on job_runs).
    expect(up.indexOf('GRANT INSERT ON outbox TO tasks_saas_tenant_app;')).toBeGreaterThan(up.indexOf('ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;'));
    expect(up.indexOf('ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;')).toBeGreaterThan(0);
    // The relay now counts through offloaded_job_states() (the code the migration must serve).
    expect(readdirSync(path.join(dir, 'src'), { recursive: true }).some((f) => String(f).endsWith('.ts') && read(dir, path.join('src', String(f))).includes('offloaded_job_states()'))).toBe(true);

    await withDatabase(async (db) => {
      const ok = succeeds(db);
      // Migrated as the database's owner, no superuser (as on a managed PostgreSQL): it must become a
      // member of the monitor role and let that role own a function in the schema to hand it the function.
      const migrator = `${MIGRATOR}_hybrid`;
      await ok(`DO $$ BEGIN CREATE ROLE ${migrator} LOGIN NOSUPERUSER CREATEROLE; EXCEPTION WHEN duplicate_object THEN NULL; END $$; DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO ${migrator}', current_database()); END $$;`);
      const asMigrator = (sql: string) => `SET ROLE ${migrator};\n${sql}`;
      await ok(asMigrator(initial.split(/^-- Down Migration/m)[0]!));
      const projectId = await ok(asMigrator("INSERT INTO project (name) VALUES ('launch') RETURNING id"));
      await ok(asMigrator(`INSERT INTO job_runs (queue, job_id, entity_id, status) VALUES ('summarize-project', 'j1', '${projectId}', 'completed')`));
      await ok(asMigrator(`INSERT INTO outbox (job, job_id, payload) VALUES ('summarize-project', 'j1', '{}')`));

      await ok(asMigrator(up));
      // What the job POST does in the tenant's transaction: its job_runs row and its outbox row.
      const other = randomUUID();
      const otherProject = await ok(asTenant(other, `INSERT INTO project (tenant_id, name) VALUES ('${other}', 'theirs') RETURNING id`));
      await ok(asTenant(other, `INSERT INTO job_runs (tenant_id, queue, job_id, entity_id, status) VALUES ('${other}', 'summarize-project', 'j2', '${otherProject.split('\n')[0]}', 'queued')`));
      await ok(asTenant(other, `INSERT INTO outbox (job, job_id, payload) VALUES ('summarize-project', 'j2', '{}')`));
      expect(await ok(asTenant(other, 'SELECT count(*) FROM job_runs'))).toBe('1');
      // The relay's gauges: every tenant's jobs, counts only, called by the migrating (the relay's) user.
      expect(await ok(asMigrator('SELECT queue, status, n FROM offloaded_job_states() ORDER BY status'))).toBe('summarize-project|completed|1\nsummarize-project|queued|1');
      expect(await ok("SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'tasks_saas_job_monitor'")).toBe('f|f|f');
      expect(await ok("SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'offloaded_job_states'")).toBe('tasks_saas_job_monitor');
      // The tenant role may not call it (no cross-tenant counts for a tenant).
      expect((await db(asTenant(tenant, 'SELECT * FROM offloaded_job_states()'))).stderr).toMatch(/permission denied for function offloaded_job_states/);

      // The other tenant's rows go before down (this server's own user is a superuser: no RLS binds it).
      await ok(`DELETE FROM outbox WHERE job_id = 'j2'; DELETE FROM job_runs WHERE job_id = 'j2'; DELETE FROM project WHERE tenant_id = '${other}'`);
      await ok(asMigrator(down));
      expect(await ok("SELECT count(*) FROM pg_proc WHERE proname = 'offloaded_job_states'")).toBe('0');
      expect(await ok("SELECT has_table_privilege('tasks_saas_tenant_app', 'outbox', 'INSERT')")).toBe('f');
      expect(await ok('SELECT count(*) FROM job_runs; SELECT count(*) FROM outbox')).toBe('1\n1');
    });

    await expectStaticVerifyPasses(dir);
  }, 240_000);
});

describe('update turning multi-tenancy on for a serverless project', () => {
  it('writes one additive migration (auth_users and job_runs backfilled, RLS on job_runs); applied to rows, they are the named tenant\'s; verify passes', async () => {
    expect(process.env.DATABASE_URL, 'DATABASE_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    const { dir, initial, tenant, result, up, down } = await saasTurnedMultiTenant('serverless', 'serverless');
    expect(result.migrations.map((m) => m.file)).toEqual([expect.stringMatching(/^migrations\/0002_enable_tenancy/)]);
    expect(up).toContain(`ALTER TABLE auth_users ADD COLUMN tenant_id uuid NOT NULL DEFAULT '${tenant}';`);
    expect(up).toContain('ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;');
    // The Worker now scopes its handlers and signs the tenant into its tokens.
    expect(read(dir, 'src/modules/task/handlers.ts')).toContain('withTenant(');
    expect(read(dir, 'src/auth/routes.ts')).toContain('tenant: user.tenant_id');

    await withDatabase(async (db) => {
      const ok = succeeds(db);
      await ok(initial.split(/^-- Down Migration/m)[0]!);
      const projectId = await ok("INSERT INTO project (name) VALUES ('launch') RETURNING id");
      await ok(`INSERT INTO job_runs (queue, job_id, entity_id, status) VALUES ('summarize-project', 'j1', '${projectId}', 'completed')`);
      await ok("INSERT INTO auth_users (email, password_hash, role) VALUES ('old@example.com', 'x', 'admin')");
      await ok(up);
      expect(await ok(asTenant(tenant, 'SELECT count(*) FROM project; SELECT count(*) FROM job_runs'))).toBe('1\n1');
      expect(await ok(asTenant(randomUUID(), 'SELECT count(*) FROM project; SELECT count(*) FROM job_runs'))).toBe('0\n0');
      expect(await ok('SELECT tenant_id FROM auth_users')).toBe(tenant);
      await ok(down);
      expect(await ok("SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id' AND table_schema = 'public'")).toBe('0');
      expect(await ok('SELECT count(*) FROM job_runs; SELECT count(*) FROM auth_users')).toBe('1\n1');
    });

    await expectStaticVerifyPasses(dir);
  }, 240_000);
});
