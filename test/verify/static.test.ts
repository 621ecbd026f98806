/**
 * Every static check passes on freshly generated projects (two shapes) and fails — naming the right
 * evidence — on a copy broken on purpose. No install needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../generators/verify/run.js';
import { checksFor } from '../../generators/verify/registry.js';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { main } from '../../generators/cli/main.js';
import { verifyAfterNew } from '../../generators/commands/verify.js';
import { addFile, breakFile, checkOnCopy, copyProject, evidenceText, generate, removeProject } from './helpers.js';

/** The monolith's static checklist: the shared static checks and its own (api.rate-limit, async.job-options). */
const STATIC_CHECKS = checksFor(await resolveBlueprint('monolith-cache', { from: process.cwd(), what: 'test' })).filter((c) => c.kind === 'static');

let acme: string;
let shop: string;

beforeAll(async () => {
  [acme, shop] = await Promise.all([generate('acme'), generate('shop', ['--spec', 'test/fixtures/specs/shop.yaml'])]);
}, 60_000);

afterAll(async () => {
  await Promise.all([acme, shop].filter(Boolean).map(removeProject));
});

describe('a freshly generated project passes every static check', () => {
  for (const name of ['acme', 'shop']) {
    it(name, async () => {
      const report = await runVerify({ dir: name === 'acme' ? acme : shop, staticOnly: true });
      // A check that does not apply (shop declares no soft delete) may skip; none may fail or be left unrun.
      const notPassed = report.results.filter((r) => r.status === 'fail' || r.notRun).map((r) => `${r.id}: ${r.summary}\n${evidenceText(r)}`);
      expect(notPassed).toEqual([]);
      expect(report.results.map((r) => r.id).sort()).toEqual(STATIC_CHECKS.map((c) => c.id).sort());
    });
  }
});

type Break = (dir: string) => Promise<void>;
const MIG = 'migrations/0001_initial.sql';
const PROJECT_ROUTES = 'src/modules/project/routes.ts';
const UP2 = (sql: string) => `-- Up Migration\n${sql}\n\n-- Down Migration\n`;

/** [check id, what is broken, the breakage, evidence that must be named] */
const CASES: [string, string, Break, RegExp][] = [
  ['schema.migrations-parse', 'a syntax error in a migration', (d) => addFile(d, 'migrations/0002_broken.sql', UP2('CREATE TABLE broken (;')), /migrations\/0002_broken\.sql:2 .*syntax error/],
  ['schema.primary-keys', 'the primary key of team removed', (d) => breakFile(d, MIG, /CREATE TABLE team \(\n  id uuid PRIMARY KEY/, 'CREATE TABLE team (\n  id uuid NOT NULL'), /0001_initial\.sql:\d+ table team has no PRIMARY KEY/],
  ['schema.fk-indexed', 'the FK index on project.team_id removed', (d) => breakFile(d, MIG, 'CREATE INDEX project_team_id_fk_idx ON project (team_id);', ''), /project\(team_id\) → team has no index .*partial index project_team_id_created_at_desc_idx/],
  ['schema.fk-indexed', 'the FK index dropped by a later migration', (d) => addFile(d, 'migrations/0002_drop_fk_index.sql', UP2('DROP INDEX project_team_id_fk_idx;')), /project\(team_id\) → team has no index/],
  ['schema.access-pattern-indexes', 'the task access-pattern index removed', (d) => breakFile(d, MIG, /CREATE INDEX task_project_id_done_priority_desc_idx[^\n]*\n/, ''), /task: GET \/tasks\?project_id=…&done=…&sort=priority:desc .*no index leading with \(project_id, done, priority\)/],
  ['schema.access-pattern-indexes', 'a partial predicate that does not fit soft delete', (d) => breakFile(d, MIG, 'ON project (status, updated_at DESC, id DESC) WHERE deleted_at IS NULL', 'ON project (status, updated_at DESC, id DESC) WHERE deleted_at IS NOT NULL'), /project: GET \/projects\?status=…&sort=updated_at:desc .*no index/],
  ['schema.soft-delete-indexes', 'an access-pattern index recreated over deleted rows', (d) => addFile(d, 'migrations/0002_full.sql', UP2('DROP INDEX project_status_updated_at_desc_idx;\nCREATE INDEX project_status_updated_at_desc_idx ON project (status, updated_at DESC, id DESC);')), /0002_full\.sql:3 project: project_status_updated_at_desc_idx serves .* but is not partial/],
  ['schema.audit-columns', 'updated_at dropped from team', (d) => addFile(d, 'migrations/0002_drop_updated_at.sql', UP2('ALTER TABLE team DROP COLUMN updated_at;')), /team\.updated_at is missing/],
  ['schema.constraints', 'NOT NULL dropped from a required field', (d) => addFile(d, 'migrations/0002_nullable.sql', UP2('ALTER TABLE project ALTER COLUMN name DROP NOT NULL;')), /project\.name is nullable/],
  ['schema.audit-log-partitioned', 'audit_log not partitioned', (d) => breakFile(d, MIG, ') PARTITION BY RANGE (created_at);', ');'), /0001_initial\.sql:\d+ CREATE TABLE audit_log/],
  ['schema.audit-log-partitioned', 'the audit log table renamed away from the one the plan names', (d) => breakFile(d, MIG, 'CREATE TABLE audit_log (', 'CREATE TABLE audit_trail ('), /CREATE TABLE audit_log: not found/],
  ['api.route-schemas', "the create route's body schema deleted", (d) => breakFile(d, PROJECT_ROUTES, 'body: CreateProjectBody,', ''), /routes\.ts:\d+ POST \/projects: schema has no body/],
  ['api.auth-on-mutations', 'auth removed from a POST', (d) => breakFile(d, PROJECT_ROUTES, "preValidation: authorize(['editor', 'admin']),", ''), /routes\.ts:\d+ POST \/projects has no authentication/],
  ['api.rate-limit', 'rate limiting unregistered', (d) => breakFile(d, 'src/app.ts', 'app.register(rateLimit,', 'app.register(async () => {},'), /no app\.register\(<import from "@fastify\/rate-limit">/],
  ['api.rate-limit', 'a route opted out of rate limiting', (d) => breakFile(d, PROJECT_ROUTES, "preValidation: authorize(['viewer', 'editor', 'admin']),", "config: { rateLimit: false }, preValidation: authorize(['viewer', 'editor', 'admin']),"), /routes\.ts:\d+ GET \/projects\/:id is not rate limited/],
  ['api.rate-limit', 'rate limiting not global', (d) => breakFile(d, 'src/app.ts', 'global: true,', 'global: false,'), /app\.ts:\d+ registered with global: false/],
  ['api.list-pagination', 'the cursor removed from a list', (d) => breakFile(d, 'src/modules/project/schemas.ts', /    cursor: Type\.Optional\(\n[^\n]*\n    \),\n/, ''), /GET \/projects: querystring schema lacks cursor/],
  ['api.error-format', 'the problem+json error handler removed', (d) => breakFile(d, 'src/app.ts', 'app.setErrorHandler(errorHandler);', ''), /no app\.setErrorHandler/],
  ['code.sql-parameterized', 'a value concatenated into SQL', (d) => breakFile(d, 'src/modules/project/repository.ts', 'sql`SELECT ${COLUMNS} FROM project WHERE id = ${id} AND deleted_at IS NULL`', "{ text: \"SELECT * FROM project WHERE id = '\" + id + \"'\", values: [] } as never"), /repository\.ts:\d+ SQL text built by string concatenation/],
  ['code.sql-parameterized', 'a value interpolated into an untagged template', (d) => breakFile(d, 'src/modules/project/repository.ts', 'sql`SELECT ${COLUMNS} FROM project WHERE id = ${id} AND deleted_at IS NULL`', "{ text: `SELECT * FROM project WHERE id = '${id}'`, values: [] } as never"), /repository\.ts:\d+ SQL text built by template interpolation/],
  ['code.sql-parameterized', 'sql.raw with a value', (d) => breakFile(d, 'src/modules/project/repository.ts', 'sql`SELECT ${COLUMNS} FROM project WHERE id = ${id} AND deleted_at IS NULL`', 'sql`SELECT ${COLUMNS} FROM project WHERE id = ${sql.raw(id)}`'), /repository\.ts:\d+ SQL text built by sql\.raw\(\) of a value/],
  ['code.no-await-job', 'a handler awaiting a job', (d) => breakFile(d, 'src/jobs/routes.ts', 'const status: JobStatus =', 'await job.waitUntilFinished(new QueueEvents(name));\n  const status: JobStatus ='), /jobs\/routes\.ts:\d+ waitUntilFinished in the API process/],
  ['code.no-secret-literals', 'the JWT secret hard-coded', (d) => breakFile(d, 'src/app.ts', 'secret: config.JWT_SECRET', "secret: 'hard-coded-jwt-secret-0123456789abcdef'"), /app\.ts:\d+ "hard…ef" \(38 chars\) \(a literal\) reaches the secret option/],
  ['async.job-options', 'retries removed', (d) => breakFile(d, 'src/jobs/definitions.ts', 'attempts: 6,', 'attempts: 1,'), /export-project: attempts is 1, the spec declares 5 retries/],
  ['async.job-options', 'backoff removed', (d) => breakFile(d, 'src/jobs/definitions.ts', "backoff: { type: 'exponential', delay: job.backoffMs },", ''), /export-project: backoff is null/],
  ['async.job-options', 'failed jobs discarded', (d) => breakFile(d, 'src/jobs/definitions.ts', 'removeOnFail: false,', 'removeOnFail: true,'), /removeOnFail: true discards failed jobs/],
  ['async.enqueue-202', 'the job route answering 200', (d) => breakFile(d, 'src/jobs/routes.ts', 'reply.code(202)', 'reply.code(200)'), /POST \/projects\/:id\/jobs\/export-project: the handler never answers 202/],
  ['observability.alert-metrics', 'a metric used by an alert renamed', (d) => breakFile(d, 'src/observability/metrics.ts', "name: 'http_requests_total'", "name: 'http_requests_count'"), /alerts\.yml:\d+ alert HighErrorRate reads http_requests_total, which the app does not export/],
  ['observability.alert-thresholds', 'the p95 threshold raised to 500 ms', (d) => breakFile(d, 'monitoring/alerts.yml', '[5m]))) > 0.2', '[5m]))) > 0.5'), /p95 latency > 200 ms for 10 minutes: SlowResponses has threshold 0\.5/],
  ['observability.health-endpoints', 'readiness always 200', (d) => breakFile(d, 'src/http/health.ts', 'return sendProblem(reply, 503, `Not ready: ${down} unavailable`);', "return { status: 'ok' as const, down };"), /health\.ts:\d+ GET \/health\/ready has no path answering 503/],
  ['observability.structured-logs', 'the request logger turned off', (d) => breakFile(d, 'src/app.ts', 'logger: logger ?? { ...loggerOptions(config.LOG_LEVEL), stream: logOutput!.stream },', 'logger: false,'), /app\.ts:\d+ Fastify\(…\) without a logger/],
  ['observability.structured-logs', 'console.log in a handler', (d) => breakFile(d, PROJECT_ROUTES, 'const row = await service.get(request.params.id);', "const row = await service.get(request.params.id);\n      console.log('read', row);"), /routes\.ts:\d+ console\.log\(…\) in a server process/],
  ['security.password-hashing', 'passwords no longer hashed', (d) => breakFile(d, 'src/auth/passwords.ts', 'return hash(password, OPTIONS);', 'return Promise.resolve(password);'), /no hash\(\) call imported from @node-rs\/argon2/],
  ['delivery.dockerfile-non-root', 'USER removed', (d) => breakFile(d, 'Dockerfile', 'USER node\n', ''), /Dockerfile:\d+ final stage .* has no USER instruction/],
  ['delivery.ci-workflow', 'the test step removed', (d) => breakFile(d, '.github/workflows/ci.yml', '      - run: npm run test\n', ''), /no step runs tests/],
  ['delivery.readme', 'the architecture diagram removed', (d) => breakFile(d, 'README.md', '```mermaid', '```text'), /no architecture diagram/],
  ['delivery.env-example', 'JWT_SECRET missing from .env.example', (d) => breakFile(d, '.env.example', /\nJWT_SECRET=[^\n]*/, ''), /config\.ts:\d+ JWT_SECRET is read here but not in \.env\.example/],
];

/** Break-cases on the shop project: the domain constructs (nullable orders, is-null filters, composite uniques, append-only). */
const SHOP_CASES: [string, string, Break, RegExp][] = [
  ['schema.access-pattern-indexes', 'NULLS LAST dropped from a nullable sort column', (d) => breakFile(d, MIG, '(channel, shipped_at DESC NULLS LAST, id DESC)', '(channel, shipped_at DESC, id DESC)'), /order: GET \/orders\?channel=…&sort=shipped_at:desc .*NULLS LAST, id\) has no index/],
  ['schema.access-pattern-indexes', 'the partial predicate of an is-null pattern removed', (d) => breakFile(d, MIG, '(placed_at ASC, id ASC) WHERE shipped_at IS NULL', '(placed_at ASC, id ASC)'), /order: GET \/orders\?shipped_at=null&sort=placed_at:asc \(WHERE shipped_at IS NULL ORDER BY placed_at asc, id\) has no index/],
  ['schema.access-pattern-indexes', 'an is-null pattern index partial on the opposite condition', (d) => breakFile(d, MIG, '(placed_at ASC, id ASC) WHERE shipped_at IS NULL', '(placed_at ASC, id ASC) WHERE shipped_at IS NOT NULL'), /order: GET \/orders\?shipped_at=null&sort=placed_at:asc .*has no index/],
  ['schema.access-pattern-indexes', 'the index for the plain list removed', (d) => breakFile(d, MIG, /CREATE INDEX group_created_at_desc_idx[^\n]*\n/, ''), /group: GET \/groups\?sort=created_at:desc .*has no index/],
  ['schema.constraints', 'a composite unique index removed', (d) => breakFile(d, MIG, /CREATE UNIQUE INDEX user_group_id_display_name_key[^\n]*\n/, ''), /user: nothing enforces unique \(group_id, display_name\)/],
  ['schema.constraints', 'a composite unique index made non-unique', (d) => breakFile(d, MIG, 'CREATE UNIQUE INDEX user_group_id_display_name_key', 'CREATE INDEX user_group_id_display_name_key'), /user: nothing enforces unique \(group_id, display_name\)/],
  ['schema.constraints', 'the append-only trigger dropped by a later migration', (d) => addFile(d, 'migrations/0002_unguard.sql', UP2('DROP TRIGGER payment_append_only ON payment;')), /payment is append-only, but no BEFORE UPDATE trigger .* refuses an UPDATE/],
  ['schema.constraints', 'the append-only trigger disabled', (d) => addFile(d, 'migrations/0002_disable.sql', UP2('ALTER TABLE payment DISABLE TRIGGER payment_append_only;')), /payment is append-only, but no BEFORE DELETE trigger/],
  ['schema.constraints', 'the append-only trigger function no longer raising', (d) => breakFile(d, MIG, "RAISE EXCEPTION '% is append-only", "RAISE NOTICE '% is append-only"), /payment is append-only, but no BEFORE UPDATE trigger raising an exception/],
  ['schema.constraints', 'a DELETE route on the append-only resource', (d) => breakFile(d, 'src/modules/payment/routes.ts', 'async (request) => service.list(request.query),\n  );', "async (request) => service.list(request.query),\n  );\n  app.delete('/:id', { preValidation: authorize(['admin']) }, async () => null);"), /routes\.ts:\d+ DELETE \/payments\/:id: payment is append-only, it must have no DELETE route/],
];

describe('each static check fails, naming the evidence, on a project broken on purpose', () => {
  it('every static check has at least one break-case', () => {
    const covered = new Set(CASES.map(([id]) => id));
    // The architecture.* checks have their break-cases in test/advise/architecture-checks.test.ts, the
    // tenant isolation check (it needs a multi-tenant project) in test/verify/tenancy.test.ts.
    const elsewhere = (id: string) => id.startsWith('architecture.') || id === 'schema.tenant-isolation';
    expect(STATIC_CHECKS.map((c) => c.id).filter((id) => !covered.has(id) && !elsewhere(id))).toEqual([]);
  });

  for (const [id, what, breakIt, evidence, project] of [...CASES.map((c) => [...c, 'acme'] as const), ...SHOP_CASES.map((c) => [...c, 'shop'] as const)]) {
    it(`${id}: ${what}${project === 'shop' ? ' (shop)' : ''}`, async () => {
      const r = await checkOnCopy(project === 'acme' ? acme : shop, breakIt, id);
      expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('fail');
      expect(evidenceText(r)).toMatch(evidence);
      expect(r.fix).toBeTruthy();
    });
  }
});

describe('the command', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const sink = { write: (t: string) => (out.push(t), true) } as unknown as NodeJS.WritableStream;
    try {
      const code = await main(args, { invokedAs: 'backend-arch', stdout: sink, stderr: sink, interactive: false });
      return { code, out: out.join('') };
    } finally {
      process.exitCode = undefined;
    }
  };

  it('--static --json prints the result, writes docs/verification.md and exits 0 on a fresh project', async () => {
    const dir = await copyProject(acme);
    try {
      const { code, out } = await run(['verify', dir, '--static', '--json']);
      expect(code).toBe(0);
      const report = JSON.parse(out) as { totals: { pass: number; fail: number; skip: number }; mode: string };
      expect(report.mode).toBe('static');
      expect(report.totals.fail).toBe(0);
      // acme declares no tenancy: the tenant isolation check does not apply (it skips), every other passes.
      expect(report.totals.pass).toBe(STATIC_CHECKS.length - 1);
      expect(report.totals.skip).toBe(1);
      expect(await readFile(path.join(dir, 'docs/verification.md'), 'utf8')).toContain(`**${STATIC_CHECKS.length - 1} passed, 0 failed, 1 skipped**`);
    } finally {
      await removeProject(dir);
    }
  });

  it('exits 1 and names the failure with its evidence and fix when a check fails', async () => {
    const dir = await copyProject(acme);
    try {
      await breakFile(dir, 'Dockerfile', 'USER node\n', '');
      const { code, out } = await run(['verify', dir, '--static']);
      expect(code).toBe(1);
      expect(out).toMatch(/✗ delivery\.dockerfile-non-root — /);
      expect(out).toMatch(/fix: /);
      expect(out).toContain(`${STATIC_CHECKS.length - 2} passed, 1 failed, 1 skipped`);
      expect(await readFile(path.join(dir, 'docs/verification.md'), 'utf8')).toMatch(/\| ✗ \| `delivery\.dockerfile-non-root` \|/);
    } finally {
      await removeProject(dir);
    }
  });

  it('new fails (exit 1) when the checklist fails after generation', async () => {
    const io = { cwd: '/', stderr: process.stderr, out: () => undefined, err: () => undefined, interactive: false, env: process.env, prompter: async () => undefined };
    const verify = await verifyAfterNew(io, false);
    const dir = await copyProject(acme);
    try {
      await breakFile(dir, 'Dockerfile', 'USER node\n', '');
      await expect(verify(dir)).rejects.toMatchObject({ exitCode: 1, message: expect.stringMatching(/delivery\.dockerfile-non-root/) });
    } finally {
      await removeProject(dir);
    }
  }, 120_000);

  it('--only that matches no check is a usage error (exit 2) naming the checks; a prefix and an exact id both select', async () => {
    const dir = await copyProject(acme);
    try {
      const none = await run(['verify', dir, '--static', '--only', 'schema.nope']);
      expect(none.code).toBe(2);
      expect(none.out).toMatch(/--only "schema\.nope" matches no check/);
      expect(none.out).toMatch(/schema\.primary-keys/);
      const some = await run(['verify', dir, '--static', '--json', '--no-report', '--only', 'schema.,code.sql-parameterized']);
      expect(some.code).toBe(0);
      const ids = (JSON.parse(some.out) as { results: { id: string }[] }).results.map((r) => r.id);
      expect(ids).toContain('schema.primary-keys');
      expect(ids).toContain('code.sql-parameterized');
      expect(ids.every((id) => id.startsWith('schema.') || id === 'code.sql-parameterized')).toBe(true);
      // The help's own example selects checks (dynamic.explain is an id prefix).
      const { select } = await import('../../generators/verify/run.js');
      const { checksFor } = await import('../../generators/verify/registry.js');
      const { resolveBlueprint } = await import('../../generators/blueprints/registry.js');
      const monolith = await resolveBlueprint('monolith-cache', { from: process.cwd(), what: '--blueprint' });
      expect(select(checksFor(monolith), ['schema.', 'dynamic.explain']).map((c) => c.id)).toContain('dynamic.explain-access-patterns');
    } finally {
      await removeProject(dir);
    }
  });

  it('a full run whose dynamic checks could not run (no node_modules) exits 3, not 0; --static exits 0', async () => {
    const dir = await copyProject(acme);
    try {
      const full = await run(['verify', dir, '--no-report', '--only', 'schema.primary-keys,dynamic.api-walk']);
      expect(full.code).toBe(3);
      expect(full.out).toMatch(/skipped dynamic\.api-walk — skipped: the project's dependencies are not installed/);
      expect(full.out).toMatch(/1 could not run/);
      expect((await run(['verify', dir, '--static', '--no-report'])).code).toBe(0);
    } finally {
      await removeProject(dir);
    }
  });

  it('refuses a folder that is not a generated project', async () => {
    await expect(runVerify({ dir: '/tmp', staticOnly: true })).rejects.toThrow(/not a project generated by create-backend-arch/);
  });
});
