/**
 * schema.tenant-isolation: passes on fresh multi-tenant projects of two shapes (the tasks-saas example,
 * and a small spec with another tenant column and no shared entity), does not apply without tenancy,
 * and fails — naming the evidence — on projects broken on purpose: RLS not forced, RLS disabled by a
 * later migration, a policy without WITH CHECK, the policy dropped, the API's role given BYPASSRLS or
 * SUPERUSER or a table's ownership, no role switch at all, and repository queries without the tenant
 * predicate (a read, a delete, an insert without the tenant column); the job-status fallback reading
 * job_runs (a tenant-owned built-in table) without the tenant, or job_runs' RLS disabled or its policy dropped.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../generators/verify/run.js';
import { addFile, breakFile, checkOnCopy, evidenceText, generate, removeProject, runCheck } from './helpers.js';

const ID = 'schema.tenant-isolation';
const MIG = 'migrations/0001_initial.sql';
const UP2 = (sql: string) => `-- Up Migration\n${sql}\n\n-- Down Migration\n`;
const ROLE = 'tasks_saas_tenant_app';

const ORGS = `name: orgs
tenancy: { column: org_id }
entities:
  member:
    fields:
      email: { type: email, unique: true }
      nickname: { type: string, max: 40 }
    access:
      - { order: nickname asc }
`;

let saas: string;
let orgs: string;
let plain: string;

beforeAll(async () => {
  const specDir = await import('node:os').then((os) => os.tmpdir());
  const orgsSpec = path.join(specDir, `orgs-${process.pid}.yaml`);
  await writeFile(orgsSpec, ORGS);
  [saas, orgs, plain] = await Promise.all([
    generate('saas', ['--spec', 'test/fixtures/specs/tasks-saas.yaml']),
    generate('orgs', ['--spec', orgsSpec]),
    generate('plain', ['--spec', 'test/fixtures/specs/shop.yaml']),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([saas, orgs, plain].filter(Boolean).map(removeProject));
});

describe('fresh projects', () => {
  it('tasks-saas passes every static check, tenant isolation included', async () => {
    const report = await runVerify({ dir: saas, staticOnly: true });
    const notPassed = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.summary}\n${evidenceText(r)}`);
    expect(notPassed).toEqual([]);
    const r = report.results.find((x) => x.id === ID)!;
    // project, task, activity, and job_runs (a job's result holds its tenant's rows).
    expect(r.summary).toMatch(/^4 tenant-owned table\(s\)/);
    expect(evidenceText(r)).toContain('job_runs: RLS enabled and forced; policy job_runs_tenant_isolation');
    expect(evidenceText(r)).toContain(`queries run as ${ROLE}`);
  });

  it('a spec with another tenant column (org_id) passes', async () => {
    const r = await runCheck(orgs, ID);
    expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
    expect(evidenceText(r)).toContain('member: RLS enabled and forced; policy member_tenant_isolation');
  });

  it('does not apply to a project without tenancy', async () => {
    const r = await runCheck(plain, ID);
    expect(r.status).toBe('skip');
    expect(r.notRun).toBeUndefined();
  });
});

type Break = (dir: string) => Promise<void>;
const CASES: [string, Break, RegExp][] = [
  ['RLS not forced on task', (d) => breakFile(d, MIG, 'ALTER TABLE task FORCE ROW LEVEL SECURITY;', ''), /task: row-level security is not FORCEd/],
  ['RLS disabled by a later migration', (d) => addFile(d, 'migrations/0002_off.sql', UP2('ALTER TABLE project DISABLE ROW LEVEL SECURITY;')), /0002_off\.sql:2 project is tenant-owned \(tenant_id\) but row-level security is not enabled/],
  ['FORCE lifted by a later migration', (d) => addFile(d, 'migrations/0002_noforce.sql', UP2('ALTER TABLE activity NO FORCE ROW LEVEL SECURITY;')), /activity: row-level security is not FORCEd/],
  ['the policy dropped', (d) => addFile(d, 'migrations/0002_drop.sql', UP2('DROP POLICY task_tenant_isolation ON task;')), /task: no policy's USING compares tenant_id .*the table has no policy/],
  [
    'a policy that lets every row be written (WITH CHECK true)',
    (d) => breakFile(d, MIG, /(CREATE POLICY project_tenant_isolation ON project USING \([^\n]*\)) WITH CHECK \([^\n]*\);/, '$1 WITH CHECK (true);'),
    /project: no policy's WITH CHECK compares tenant_id/,
  ],
  ['the API role given BYPASSRLS', (d) => addFile(d, 'migrations/0002_bypass.sql', UP2(`ALTER ROLE ${ROLE} BYPASSRLS;`)), new RegExp(`0002_bypass\\.sql:2 role ${ROLE} \\(the API's\\) has BYPASSRLS`)],
  ['the API role created as a superuser', (d) => breakFile(d, MIG, `CREATE ROLE ${ROLE} NOLOGIN NOSUPERUSER`, `CREATE ROLE ${ROLE} NOLOGIN SUPERUSER`), new RegExp(`role ${ROLE} \\(the API's\\) is a SUPERUSER`)],
  ['the API role made owner of a table', (d) => addFile(d, 'migrations/0002_owner.sql', UP2(`ALTER TABLE task OWNER TO ${ROLE};`)), new RegExp(`role ${ROLE} \\(the API's\\) owns task`)],
  ['no role switch: the API runs as the tables\' owner', (d) => breakFile(d, 'src/db/pool.ts', `set_config('role', '${ROLE}', true), `, ''), /nothing in src\/ switches to a dedicated role/],
  ['a role no migration creates', (d) => breakFile(d, 'src/db/pool.ts', `set_config('role', '${ROLE}', true)`, "set_config('role', 'someone_else', true)"), /switches to role someone_else, which no migration creates/],
  [
    'the role switched with SET LOCAL ROLE, to a role with BYPASSRLS',
    async (d) => {
      await breakFile(d, 'src/db/pool.ts', `set_config('role', '${ROLE}', true), `, '');
      await breakFile(d, 'src/db/pool.ts', 'return withTransaction(pool, async (tx) => {', 'return withTransaction(pool, async (tx) => {\n    await tx.query(sql`SET LOCAL ROLE reporting`);');
      await addFile(d, 'migrations/0002_reporting.sql', UP2('CREATE ROLE reporting NOLOGIN BYPASSRLS;'));
    },
    /0002_reporting\.sql:2 role reporting \(the API's\) has BYPASSRLS/,
  ],
  [
    'a read by id without the tenant predicate',
    (d) => breakFile(d, 'src/modules/task/repository.ts', 'FROM task WHERE tenant_id = ${tenantId} AND id = ${id}', 'FROM task WHERE id = ${id}'),
    /src\/modules\/task\/repository\.ts:\d+ FROM task … is not scoped to the tenant: no tenant_id/,
  ],
  [
    'a delete without the tenant predicate',
    (d) => breakFile(d, 'src/modules/task/repository.ts', 'DELETE FROM task WHERE tenant_id = ${tenantId} AND id = ${id}', 'DELETE FROM task WHERE id = ${id}'),
    /src\/modules\/task\/repository\.ts:\d+ FROM task … is not scoped to the tenant/,
  ],
  ['the tenant column dropped from a tenant-owned table', (d) => addFile(d, 'migrations/0002_drop.sql', UP2('ALTER TABLE activity DROP COLUMN tenant_id;')), /activity is tenant-owned in the spec, but no migration gives it a tenant_id column/],
  [
    'a new helper that counts another table without the tenant',
    (d) => addFile(d, 'src/modules/project/stats.ts', "import type { Queryable } from '../../db/pool.js';\nimport { sql } from '../../db/sql.js';\n\nexport async function countProjects(db: Queryable): Promise<number> {\n  const { rows } = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM project`);\n  return rows[0]?.n ?? 0;\n}\n"),
    /src\/modules\/project\/stats\.ts:5 FROM project … is not scoped to the tenant/,
  ],
  [
    'the job-status fallback reading job_runs without the tenant predicate',
    (d) => breakFile(d, 'src/jobs/job-runs.ts', 'FROM job_runs WHERE tenant_id = ${tenantId} AND queue', 'FROM job_runs WHERE queue'),
    /src\/jobs\/job-runs\.ts:\d+ FROM job_runs … is not scoped to the tenant: no tenant_id/,
  ],
  [
    'the status route reading job_runs itself, unscoped',
    (d) =>
      breakFile(
        d,
        'src/jobs/routes.ts',
        'const run = await withTenant(app.db, tenantId, (tx) => findJobRun(tx, tenantId, queue, jobId));',
        'const run = (await app.db.query<JobRun>(sql`SELECT status, attempts, result, error FROM job_runs WHERE queue = ${queue} AND job_id = ${jobId}`)).rows[0];',
      ),
    /src\/jobs\/routes\.ts:\d+ FROM job_runs … is not scoped to the tenant/,
  ],
  ['row-level security on job_runs disabled by a later migration', (d) => addFile(d, 'migrations/0002_jobs.sql', UP2('ALTER TABLE job_runs DISABLE ROW LEVEL SECURITY;')), /0002_jobs\.sql:2 job_runs is tenant-owned \(tenant_id\) but row-level security is not enabled/],
  ['the job_runs policy dropped', (d) => addFile(d, 'migrations/0002_jobs.sql', UP2('DROP POLICY job_runs_tenant_isolation ON job_runs;')), /job_runs: no policy's USING compares tenant_id .*the table has no policy/],
];

describe('fails, naming the evidence, on a project broken on purpose', () => {
  for (const [what, breakIt, evidence] of CASES) {
    it(what, async () => {
      const r = await checkOnCopy(saas, breakIt, ID);
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('fail');
      expect(evidenceText(r)).toMatch(evidence);
      expect(r.fix).toBeTruthy();
    });
  }
});
