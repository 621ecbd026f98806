/**
 * The planned schema on a real PostgreSQL (no generated project, no install): the initial migration of a
 * spec's plan applied with psql, then the behaviour the README documents, observed.
 *  - Composite unique constraints treat NULLs as distinct (PostgreSQL's default, which we keep): two
 *    users without a group may share a display name; two in the same group may not.
 *  - Multi-tenancy: as the app role with one tenant's setting, only that tenant's rows exist; a row
 *    cannot be written for another tenant nor point at another tenant's parent (composite key); without
 *    the setting no row is visible; and the role is created once per cluster (a second database's
 *    migration finds it), and the down migration runs.
 */
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';
import { loadSpecFile, parseSpecText } from '../../generators/domain/load.js';
import { planProject } from '../../generators/plan/plan.js';
import type { Plan } from '../../generators/plan/types.js';
import { findServerBinaries } from '../../generators/servers/throwaway.js';
import { freshDatabase } from '../support/servers.js';

const monolith = await resolveBlueprint('monolith-cache', { from: process.cwd(), what: 'test' });
const planOf = async (file: string, name: string): Promise<Plan> =>
  planProject({ spec: await loadSpecFile(file), name, blueprint: 'monolith-cache', packageManager: 'npm', features: [], generatorVersion: '0.0.0' }, monolith);

const psql = findServerBinaries().psql ?? 'psql';

/** Runs SQL with psql; resolves to its unaligned, tuples-only output, or rejects with its error text. */
async function run(url: string, sql: string): Promise<string> {
  const r = await execa(psql, [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'], { input: sql, reject: false });
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

const up = (plan: Plan) => plan.migrations[0]!.up.map((s) => s.sql).join('\n\n');
const down = (plan: Plan) => plan.migrations[0]!.down.map((s) => s.sql).join('\n\n');

describe('composite unique constraints and NULL', () => {
  it('NULLs are distinct: (NULL, name) may repeat, (group, name) may not', async () => {
    const plan = await planOf('test/fixtures/specs/shop.yaml', 'shop');
    const index = plan.entities.find((e) => e.name === 'user')!.indexes.find((i) => i.kind === 'unique')!;
    expect(index.sql).toBe('CREATE UNIQUE INDEX user_group_id_display_name_key ON "user" (group_id, display_name);');
    const url = await freshDatabase('nulls');
    await run(url, up(plan));
    const group = await run(url, `INSERT INTO "group" (title) VALUES ('g') RETURNING id;`);
    await run(url, `INSERT INTO "user" (email, display_name) VALUES ('a@example.com', 'Sam'), ('b@example.com', 'Sam');`);
    expect(await run(url, `SELECT count(*) FROM "user" WHERE group_id IS NULL AND display_name = 'Sam';`)).toBe('2');
    await run(url, `INSERT INTO "user" (email, group_id, display_name) VALUES ('c@example.com', '${group}', 'Sam');`);
    await expect(run(url, `INSERT INTO "user" (email, group_id, display_name) VALUES ('d@example.com', '${group}', 'Sam');`)).rejects.toThrow(
      /duplicate key value violates unique constraint "user_group_id_display_name_key"/,
    );
  });
});

describe('multi-tenancy in the database', () => {
  it('row-level security and composite keys keep tenants apart for the app role; the migration runs in two databases and back down', async () => {
    const plan = await planOf('test/fixtures/specs/tasks-saas.yaml', 'tasks-saas');
    const role = plan.tenancy!.role;
    const [url, second] = await Promise.all([freshDatabase('tenancy'), freshDatabase('tenancy_again')]);
    await run(url, up(plan));
    await run(second, up(plan)); // the role exists by now: created once per cluster, found the second time
    const [a, b] = [randomUUID(), randomUUID()];
    // Seeded as the superuser (RLS does not apply to superusers, FORCE or not).
    const projectA = await run(url, `INSERT INTO project (tenant_id, name) VALUES ('${a}', 'alpha') RETURNING id;`);
    const projectB = await run(url, `INSERT INTO project (tenant_id, name) VALUES ('${b}', 'alpha') RETURNING id;`); // unique per tenant
    const as = (tenant: string | null, sql: string) =>
      run(url, `BEGIN;\nSET LOCAL ROLE ${role};\n${tenant ? `SELECT set_config('app.tenant_id', '${tenant}', true) \\g /dev/null\n` : ''}${sql}\nCOMMIT;`);

    expect(await as(a, 'SELECT id FROM project;')).toBe(projectA);
    expect(await as(null, 'SELECT count(*) FROM project;')).toBe('0');
    expect(await as(a, `UPDATE project SET name = 'x' WHERE id = '${projectB}' RETURNING id;`)).toBe('');
    expect(await as(a, `DELETE FROM project WHERE id = '${projectB}' RETURNING id;`)).toBe('');
    await expect(as(a, `INSERT INTO project (tenant_id, name) VALUES ('${b}', 'beta');`)).rejects.toThrow(/new row violates row-level security policy for table "project"/);
    await expect(as(a, `INSERT INTO task (tenant_id, project_id, title) VALUES ('${a}', '${projectB}', 't');`)).rejects.toThrow(
      /violates foreign key constraint/,
    );
    await as(a, `INSERT INTO task (tenant_id, project_id, title) VALUES ('${a}', '${projectA}', 't');`);
    // Append-only for the role in its privileges too, not only by the trigger.
    await expect(as(a, `UPDATE activity SET note = 'x';`)).rejects.toThrow(/permission denied for table activity/);
    expect(await run(url, `SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = '${role}';`)).toBe('f|f|f');
    expect(await run(url, `SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity ORDER BY relname;`)).toBe('activity\njob_runs\nproject\ntask');

    await run(second, down(plan));
    expect(await run(second, `SELECT count(*) FROM pg_class WHERE relname IN ('project', 'task', 'activity', 'auth_users');`)).toBe('0');
  });

  it('a shared, soft-deleted parent can be checked FOR SHARE by the app role (and nothing else of it changed)', async () => {
    const spec = parseSpecText(
      `tenancy: {}\nentities:\n  catalog:\n    tenant: false\n    softDelete: true\n    fields: { code: { type: string, max: 8 } }\n  item:\n    fields: { catalog_id: { type: uuid, references: catalog } }\n`,
      'spec.yaml',
    );
    const plan = planProject({ spec, name: 'shared-parent', blueprint: 'monolith-cache', packageManager: 'npm', features: [], generatorVersion: '0.0.0' }, monolith);
    const url = await freshDatabase('shared_parent');
    await run(url, up(plan));
    const id = await run(url, `INSERT INTO catalog (code) VALUES ('c') RETURNING id;`);
    const as = (sql: string) => run(url, `BEGIN;\nSET LOCAL ROLE ${plan.tenancy!.role};\n${sql}\nCOMMIT;`);
    expect(await as(`SELECT 1 FROM catalog WHERE id = '${id}' AND deleted_at IS NULL FOR SHARE;`)).toBe('1');
    await expect(as(`UPDATE catalog SET code = 'x';`)).rejects.toThrow(/permission denied for table catalog/);
  });
});
