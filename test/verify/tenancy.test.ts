/**
 * schema.tenant-isolation: passes on fresh multi-tenant projects of two shapes (the tasks-saas example,
 * and a small spec with another tenant column and no shared entity), does not apply without tenancy,
 * and fails — naming the evidence — on projects broken on purpose: RLS not forced, RLS disabled by a
 * later migration, a policy without WITH CHECK, the policy dropped, the API's role given BYPASSRLS or
 * SUPERUSER or a table's ownership, no role switch at all, and repository queries without the tenant
 * predicate (a read, a delete, an insert without the tenant column); the job-status fallback reading
 * job_runs (a tenant-owned built-in table) without the tenant, or job_runs' RLS disabled or its policy dropped;
 * a permissive policy that shows every tenant's rows to the API's role.
 *
 * The hybrid (multi-tenant since its functions and relay set the job's tenant): passes on tasks-saas and
 * orgs generated with --blueprint hybrid, and fails on a functions-side query without the tenant (the
 * job-run update, the job's count of child rows), the relay's gauges reading job_runs directly instead of
 * through offloaded_job_states(), the monitoring policy opened to every role, and (hybrid.offload-outbox)
 * the outbox row written outside the tenant's transaction or a withTenant that runs no transaction.
 *
 * The microservices (one database and migration stream per service): passes on tasks-saas and orgs
 * generated with --blueprint microservices (each stream's entities, job runs and read models of other
 * services' tenant-owned entities), and fails on a read model's RLS not forced or disabled by a later
 * migration of its service, a read model without the tenant column, a service's job_runs policy dropped,
 * the tenant role given BYPASSRLS by one service's migration, and a service's list query without the tenant.
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
let saasHybrid: string;
let orgsHybrid: string;
let saasServerless: string;
let orgsServerless: string;

beforeAll(async () => {
  const specDir = await import('node:os').then((os) => os.tmpdir());
  const orgsSpec = path.join(specDir, `orgs-${process.pid}.yaml`);
  await writeFile(orgsSpec, ORGS);
  [saas, orgs, plain, saasHybrid, orgsHybrid, saasServerless, orgsServerless] = await Promise.all([
    generate('saas', ['--spec', 'test/fixtures/specs/tasks-saas.yaml']),
    generate('orgs', ['--spec', orgsSpec]),
    generate('plain', ['--spec', 'test/fixtures/specs/shop.yaml']),
    generate('saas-hybrid', ['--blueprint', 'hybrid', '--spec', 'test/fixtures/specs/tasks-saas.yaml']),
    generate('orgs-hybrid', ['--blueprint', 'hybrid', '--spec', orgsSpec]),
    generate('saas-serverless', ['--blueprint', 'serverless', '--spec', 'test/fixtures/specs/tasks-saas.yaml']),
    generate('orgs-serverless', ['--blueprint', 'serverless', '--spec', orgsSpec]),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([saas, orgs, plain, saasHybrid, orgsHybrid, saasServerless, orgsServerless].filter(Boolean).map(removeProject));
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
  [
    'a second, permissive policy that shows every row (policies are OR-ed)',
    (d) => addFile(d, 'migrations/0002_open.sql', UP2('CREATE POLICY project_open_read ON project FOR SELECT USING (true);')),
    /0002_open\.sql:2 project: policy project_open_read \(permissive, for every role\) shows rows without comparing tenant_id/,
  ],
  [
    "a permissive policy for the API's own role that accepts any tenant's writes",
    (d) => addFile(d, 'migrations/0002_write.sql', UP2(`CREATE POLICY task_any_insert ON task FOR INSERT TO ${ROLE} WITH CHECK (true);`)),
    new RegExp(`0002_write\\.sql:2 task: policy task_any_insert \\(permissive, for ${ROLE}\\) accepts writes without comparing tenant_id`),
  ],
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

describe('the hybrid: the API, the relay and the functions all scope to the tenant', () => {
  const HYBRID_CASES: [string, Break, RegExp][] = [
    [
      "the functions' job-run update without the tenant predicate",
      (d) =>
        breakFile(
          d,
          'functions/src/jobs/job-runs.ts',
          "sql`UPDATE job_runs SET status = 'completed', result = ${json(result)}::jsonb, error = NULL WHERE tenant_id = ${tenantId} AND queue",
          "sql`UPDATE job_runs SET status = 'completed', result = ${json(result)}::jsonb, error = NULL WHERE queue",
        ),
      /functions\/src\/jobs\/job-runs\.ts:\d+ UPDATE job_runs … is not scoped to the tenant/,
    ],
    [
      "the function's count of child rows without the tenant",
      (d) => breakFile(d, 'functions/src/jobs/summarize-project.ts', 'FROM task WHERE tenant_id = ${tenantId} AND project_id', 'FROM task WHERE project_id'),
      /functions\/src\/jobs\/summarize-project\.ts:\d+ FROM task … is not scoped to the tenant/,
    ],
    [
      "the relay's gauges reading job_runs directly (every tenant's rows, not only counts)",
      (d) =>
        breakFile(
          d,
          'src/offload/relay.ts',
          'SELECT queue, status, n FROM offloaded_job_states() WHERE queue = ANY(${[...OFFLOADED_JOBS]}::text[])',
          'SELECT queue, status, count(*)::int AS n FROM job_runs WHERE queue = ANY(${[...OFFLOADED_JOBS]}::text[]) GROUP BY queue, status',
        ),
      /src\/offload\/relay\.ts:\d+ FROM job_runs … is not scoped to the tenant/,
    ],
    [
      'the monitoring policy opened to every role',
      (d) => breakFile(d, MIG, 'ON job_runs FOR SELECT TO tasks_saas_job_monitor USING (true);', 'ON job_runs FOR SELECT USING (true);'),
      /job_runs: policy job_runs_job_monitor \(permissive, for every role\) shows rows without comparing tenant_id/,
    ],
  ];

  it('schema.tenant-isolation and hybrid.offload-outbox pass on tasks-saas and orgs generated as hybrids', async () => {
    for (const dir of [saasHybrid, orgsHybrid]) {
      const r = await runCheck(dir, ID);
      expect(r.status, `${dir}: ${r.summary}\n${evidenceText(r)}`).toBe('pass');
      expect(evidenceText(r)).toContain('job_runs: RLS enabled and forced; policy job_runs_tenant_isolation, job_runs_job_monitor');
    }
    const outbox = await runCheck(saasHybrid, 'hybrid.offload-outbox');
    expect(outbox.status, `${outbox.summary}\n${evidenceText(outbox)}`).toBe('pass');
    expect(evidenceText(outbox)).toMatch(/src\/offload\/outbox\.ts:\d+ summarize-project: job_runs and outbox rows written in one transaction/);
  });

  for (const [what, breakIt, evidence] of HYBRID_CASES)
    it(`schema.tenant-isolation fails on: ${what}`, async () => {
      const r = await checkOnCopy(saasHybrid, breakIt, ID);
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('fail');
      expect(evidenceText(r)).toMatch(evidence);
    });

  it("hybrid.offload-outbox fails when the outbox row is written outside the tenant's transaction", async () => {
    const r = await checkOnCopy(
      saasHybrid,
      async (d) => {
        const insert = 'await tx.query(sql`INSERT INTO outbox (job, job_id, payload) VALUES (${job}, ${jobId}, ${json(message)}::jsonb)`);';
        await breakFile(d, 'src/offload/outbox.ts', insert, '');
        await breakFile(d, 'src/offload/outbox.ts', '  return { jobId, status, statusUrl:', `  ${insert.replace('tx.query', 'db.query')}\n  return { jobId, status, statusUrl:`);
      },
      'hybrid.offload-outbox',
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/offload\/outbox\.ts:\d+ summarize-project: the outbox row is not written in the same transaction/);
  });

  it('hybrid.offload-outbox fails when withTenant no longer runs its work in a transaction', async () => {
    const r = await checkOnCopy(
      saasHybrid,
      (d) => breakFile(d, 'src/db/pool.ts', /return withTransaction\(pool, async \(tx\) => \{([\s\S]*?)return fn\(tx\);\n {2}\}\);/, 'const tx = pool;$1return fn(tx);'),
      'hybrid.offload-outbox',
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/summarize-project: the outbox row is not written in the same transaction/);
  });
});

describe('serverless: the Worker scopes every handler, job route and consumer to the tenant', () => {
  it('passes every static check on tasks-saas and orgs generated as Workers, tenant isolation included', async () => {
    for (const dir of [saasServerless, orgsServerless]) {
      const report = await runVerify({ dir, staticOnly: true });
      const failed = report.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.summary}\n${evidenceText(r)}`);
      expect(failed, dir).toEqual([]);
      const r = report.results.find((x) => x.id === ID)!;
      expect(r.status, `${dir}: ${r.summary}\n${evidenceText(r)}`).toBe('pass');
      expect(evidenceText(r)).toContain('job_runs: RLS enabled and forced; policy job_runs_tenant_isolation');
    }
    const r = await runCheck(saasServerless, ID);
    expect(r.summary).toMatch(/^4 tenant-owned table\(s\)/);
    expect(evidenceText(r)).toContain(`queries run as ${ROLE}`);
  });

  const SERVERLESS_CASES: [string, Break, RegExp][] = [
    [
      "the job status route reading another tenant's runs (no tenant predicate)",
      (d) =>
        breakFile(
          d,
          'src/jobs/routes.ts',
          'FROM job_runs WHERE tenant_id = ${tenantId} AND queue = ${queue} AND job_id = ${jobId}',
          'FROM job_runs WHERE queue = ${queue} AND job_id = ${jobId}',
        ),
      /src\/jobs\/routes\.ts:\d+ FROM job_runs … is not scoped to the tenant/,
    ],
    [
      "the redrive updating any tenant's run",
      (d) => breakFile(d, 'src/jobs/routes.ts', 'WHERE tenant_id = ${tenantId} AND queue = ${queue} AND job_id = ${jobId} RETURNING entity_id', 'WHERE queue = ${queue} AND job_id = ${jobId} RETURNING entity_id'),
      /src\/jobs\/routes\.ts:\d+ UPDATE job_runs … is not scoped to the tenant/,
    ],
    [
      "the dead-letter consumer marking any tenant's run dead",
      (d) =>
        breakFile(
          d,
          'src/jobs/job-runs.ts',
          "WHERE tenant_id = ${tenantId} AND queue = ${queue} AND job_id = ${message.jobId} AND status <> 'completed'",
          "WHERE queue = ${queue} AND job_id = ${message.jobId} AND status <> 'completed'",
        ),
      /src\/jobs\/job-runs\.ts:\d+ UPDATE job_runs … is not scoped to the tenant/,
    ],
    [
      "the Worker's transactions no longer switch role (the client runs as the tables' owner)",
      (d) => breakFile(d, 'src/db/pool.ts', `set_config('role', '${ROLE}', true), `, ''),
      /nothing in src\/ switches to a dedicated role/,
    ],
    ['RLS not forced on job_runs', (d) => breakFile(d, MIG, 'ALTER TABLE job_runs FORCE ROW LEVEL SECURITY;', ''), /job_runs: row-level security is not FORCEd/],
    [
      'a new handler module that counts tasks without the tenant',
      (d) =>
        addFile(
          d,
          'src/modules/task/stats.ts',
          "import type pg from 'pg';\nimport { sql } from '../../db/sql.js';\n\nexport async function countTasks(db: pg.Client): Promise<number> {\n  const { rows } = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM task`);\n  return rows[0]?.n ?? 0;\n}\n",
        ),
      /src\/modules\/task\/stats\.ts:5 FROM task … is not scoped to the tenant/,
    ],
  ];

  for (const [what, breakIt, evidence] of SERVERLESS_CASES)
    it(`schema.tenant-isolation fails on: ${what}`, async () => {
      const r = await checkOnCopy(saasServerless, breakIt, ID);
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('fail');
      expect(evidenceText(r)).toMatch(evidence);
    });
});

describe('the microservices: every service database holds its tenant rows under row-level security', () => {
  let saasMicro: string;
  let orgsMicro: string;

  beforeAll(async () => {
    const orgsSpec = path.join(await import('node:os').then((os) => os.tmpdir()), `orgs-micro-${process.pid}.yaml`);
    await writeFile(orgsSpec, ORGS);
    [saasMicro, orgsMicro] = await Promise.all([
      generate('saas-micro', ['--blueprint', 'microservices', '--spec', 'test/fixtures/specs/tasks-saas.yaml']),
      generate('orgs-micro', ['--blueprint', 'microservices', '--spec', orgsSpec]),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([saasMicro, orgsMicro].filter(Boolean).map(removeProject));
  });

  it('passes on tasks-saas and orgs generated as microservices: each stream\'s entities, job runs and read models', async () => {
    for (const dir of [saasMicro, orgsMicro]) {
      const r = await runCheck(dir, ID);
      expect(r.status, `${dir}: ${r.summary}\n${evidenceText(r)}`).toBe('pass');
    }
    const text = evidenceText(await runCheck(saasMicro, ID));
    expect(text).toContain('migrations/task/0001_initial.sql:86 rm_project: RLS enabled and forced; policy rm_project_tenant_isolation');
    expect(text).toContain('migrations/activity/0001_initial.sql:86 rm_task: RLS enabled and forced; policy rm_task_tenant_isolation');
    expect(text).toContain('job_runs: RLS enabled and forced; policy job_runs_tenant_isolation');
  });

  const MICRO_CASES: [string, Break, RegExp][] = [
    ["a read model's RLS not forced (the task service's rm_project)", (d) => breakFile(d, 'migrations/task/0001_initial.sql', 'ALTER TABLE rm_project FORCE ROW LEVEL SECURITY;', ''), /rm_project: row-level security is not FORCEd/],
    [
      "a read model's RLS disabled by a later migration of its service",
      (d) => addFile(d, 'migrations/activity/0002_off.sql', UP2('ALTER TABLE rm_task DISABLE ROW LEVEL SECURITY;')),
      /migrations\/activity\/0002_off\.sql:2 rm_task is tenant-owned \(tenant_id\) but row-level security is not enabled/,
    ],
    [
      'a read model created without the tenant column',
      (d) => breakFile(d, 'migrations/task/0001_initial.sql', 'CREATE TABLE rm_project (\n  id uuid PRIMARY KEY,\n  tenant_id uuid NOT NULL,\n', 'CREATE TABLE rm_project (\n  id uuid PRIMARY KEY,\n'),
      /rm_project is tenant-owned by the blueprint \(it holds tenant rows\), but no migration gives it a tenant_id column/,
    ],
    ["the project service's job_runs policy dropped", (d) => addFile(d, 'migrations/project/0002_jobs.sql', UP2('DROP POLICY job_runs_tenant_isolation ON job_runs;')), /job_runs: no policy's USING compares tenant_id .*the table has no policy/],
    ['the tenant role given BYPASSRLS by one service\'s migration', (d) => addFile(d, 'migrations/activity/0002_bypass.sql', UP2(`ALTER ROLE ${ROLE} BYPASSRLS;`)), new RegExp(`migrations/activity/0002_bypass\\.sql:2 role ${ROLE} \\(the API's\\) has BYPASSRLS`)],
    [
      "a service's list query without the tenant predicate",
      (d) => breakFile(d, 'src/modules/task/repository.ts', 'const where: SqlFragment[] = [sql`tenant_id = ${tenantId}`];', 'const where: SqlFragment[] = [];'),
      /src\/modules\/task\/repository\.ts:\d+ FROM task … is not scoped to the tenant/,
    ],
  ];

  for (const [what, breakIt, evidence] of MICRO_CASES)
    it(`schema.tenant-isolation fails on: ${what}`, async () => {
      const r = await checkOnCopy(saasMicro, breakIt, ID);
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('fail');
      expect(evidenceText(r)).toMatch(evidence);
    });
});
