/**
 * The hybrid blueprint end to end, as a user runs it: the real CLI (no terminal, CI=true) generates
 * the container API (the monolith) with its offloaded jobs' functions, installs it and verifies it.
 * The project type-checks both halves, lints and is formatted; its own tests (run inside verify by
 * dynamic.test-suite) start the Worker under `wrangler dev` and the relay, against real PostgreSQL and
 * Redis. Three specs: the built-in example (every job offloaded) through `new`, which runs verify,
 * shop-hybrid.yaml (one job kept on the worker, one offloaded) and the multi-tenant tasks-saas.yaml (its
 * offloaded job runs as the requester's tenant through the outbox, the relay and the functions) through
 * `verify --json`. The OpenAPI document the built container API serves passes Spectral (spectral:oas +
 * OWASP API Top 10) with 0 errors.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireServers } from '../support/servers.js';
import { lintOpenApi, servedApiDocument, summarize } from '../support/spectral.js';

const TEN_MINUTES = 600_000;
const BIN = path.resolve('bin/create-backend-arch.js');

/**
 * A skip is allowed only where the project has nothing for the check: no multi-tenancy, no soft delete.
 * The job checks judge offloaded jobs on their own path (plan.handedOffJobs), so none of them skips.
 */
const ALLOWED_SKIP = /declares no (multi-tenancy|soft-deleted entity)/i;

const cases = [
  { name: 'mixed', args: ['--blueprint', 'hybrid', '--yes'], verifyInNew: true },
  { name: 'shop-hybrid', args: ['--blueprint', 'hybrid', '--yes', '--no-verify', '--spec', path.resolve('test/fixtures/specs/shop-hybrid.yaml')], verifyInNew: false },
  { name: 'saas-hybrid', args: ['--blueprint', 'hybrid', '--yes', '--no-verify', '--spec', path.resolve('test/fixtures/specs/tasks-saas.yaml')], verifyInNew: false, tenant: true },
];

describe.each(cases)('hybrid backend: $name', ({ name, args, verifyInNew, tenant }) => {
  let dir: string;
  let created: { exitCode: number | undefined; all: string };

  beforeAll(async () => {
    requireServers();
    const cwd = await mkdtemp(path.join(tmpdir(), 'cba-e2e-hyb-'));
    dir = path.join(cwd, name);
    const r = await execa('node', [BIN, name, ...args], { cwd, reject: false, env: { CI: 'true' }, stdin: 'ignore', all: true });
    created = { exitCode: r.exitCode, all: r.all ?? '' };
  }, TEN_MINUTES);

  const run = (script: string) => execa('npm', ['run', script], { cwd: dir, reject: false, all: true, env: { NO_COLOR: '1', FORCE_COLOR: '0' } });

  it('is generated and installed', () => {
    expect(created.all).not.toContain('error:');
    expect(created.exitCode, created.all).toBe(0);
  });

  it('passes the checklist: 0 failed, nothing that could not run, skips only where the project has nothing to check', async () => {
    let results: { id: string; status: string; summary: string; notRun?: true }[];
    if (verifyInNew) {
      expect(created.all).toMatch(/\d+ passed, 0 failed, \d+ skipped \(static and dynamic/);
      expect(created.all).not.toMatch(/could not run/);
      const report = await readFile(path.join(dir, 'docs/verification.md'), 'utf8');
      expect(report).toMatch(/\*\*\d+ passed, 0 failed, \d+ skipped\*\*/);
      results = [...created.all.matchAll(/^(✓|✗|skipped) ([\w.-]+) — (.*)$/gm)].map((m) => ({ id: m[2]!, status: m[1] === '✓' ? 'pass' : m[1] === '✗' ? 'fail' : 'skip', summary: m[3]! }));
    } else {
      const r = await execa('node', [path.resolve('bin/backend-arch.js'), 'verify', dir, '--json'], { reject: false, env: { CI: 'true' } });
      expect(r.exitCode, r.stderr).toBe(0);
      results = (JSON.parse(r.stdout) as { results: typeof results }).results;
    }
    expect(results.filter((x) => x.status === 'fail').map((x) => `${x.id}: ${x.summary}`)).toEqual([]);
    expect(results.filter((x) => x.status === 'skip' && (x.notRun || !ALLOWED_SKIP.test(x.summary))).map((x) => `${x.id}: ${x.summary}`)).toEqual([]);
    const passed = new Set(results.filter((x) => x.status === 'pass').map((x) => x.id));
    for (const id of ['dynamic.test-suite', 'dynamic.typecheck', 'dynamic.api-walk', 'dynamic.explain-access-patterns', 'dynamic.metrics-series', 'hybrid.offload-outbox', 'hybrid.relay-delivery', 'hybrid.ingress-verifies', 'async.enqueue-202', 'async.job-options', 'dynamic.job-accepted-without-worker', 'dynamic.job-roundtrip'])
      expect(passed, id).toContain(id);
    if (tenant) expect(passed, 'schema.tenant-isolation').toContain('schema.tenant-isolation');
    // The suite verify ran includes the offload tests (202 → relay → function → completed; relay killed; dead letter).
    const suite = results.find((x) => x.id === 'dynamic.test-suite');
    expect(suite?.summary).toMatch(/Tests\s+\d+ passed/);
  }, TEN_MINUTES);

  it('type-checks both halves, lints and is formatted', async () => {
    const typecheck = await run('typecheck');
    expect(typecheck.exitCode, typecheck.all).toBe(0);
    expect(typecheck.all).toContain('tsc --noEmit -p functions');
    const lint = await run('lint');
    expect(lint.exitCode, lint.all).toBe(0);
    const format = await run('format:check');
    expect(format.exitCode, format.all).toBe(0);
  }, TEN_MINUTES);

  // The API the hybrid serves is the container's (the monolith's routes and the offloaded jobs' POST
  // routes, which answer 202 from the outbox). The functions' Worker serves no API of its own: its
  // /ingress takes only the relay's HMAC-signed deliveries, and /health.
  it('the container API serves an OpenAPI 3.1 document with 0 Spectral errors (spectral:oas + OWASP API Top 10)', async () => {
    const build = await run('build');
    expect(build.exitCode, build.all).toBe(0);
    const document = (await servedApiDocument(dir, { env: { OFFLOAD_SIGNING_SECRET: 'spectral-offload-secret-of-at-least-32-chars' } })) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    // The offloaded jobs' routes are in it (every job of the example is offloaded; shop-hybrid offloads send-receipt).
    expect(Object.keys(document.paths).filter((p) => /\/jobs\/[a-z-]+$/.test(p) && document.paths[p]!.post)).not.toEqual([]);
    const findings = await lintOpenApi(document);
    const errors = findings.filter((f) => f.severity === 'error');
    expect(errors, summarize(errors)).toEqual([]);
    console.log(`${name}: Spectral ${errors.length} errors, ${findings.filter((f) => f.severity === 'warning').length} warnings on ${Object.keys(document.paths).length} paths`);
  }, TEN_MINUTES);

  it("the functions half bundles as wrangler would deploy it (dry run)", async () => {
    const build = await run('functions:build');
    expect(build.exitCode, build.all).toBe(0);
  }, TEN_MINUTES);
});
