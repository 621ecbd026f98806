/**
 * The microservices blueprint end to end, as a user runs it: the real CLI (no terminal, CI=true)
 * generates `shop` from the built-in example, a second spec (explicit services, references inside
 * and across services, reserved-word entity names) and the multi-tenant tasks-saas, installs it; the project type-checks, lints, is
 * formatted, builds, passes its own tests against real PostgreSQL, Redis and NATS JetStream (its
 * gateway walk, cross-service events, relay failure, redelivery, dead letters, one service down, role
 * isolation), and `verify` reports no failure. The gateway's merged OpenAPI document, as served by the
 * built processes, passes Spectral (spectral:oas + OWASP API Top 10) with 0 errors.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../generators/servers/throwaway.js';
import { freshDatabase, requireServers } from '../support/servers.js';
import { lintOpenApi, summarize } from '../support/spectral.js';

const BIN = path.resolve('bin/create-backend-arch.js');
const SIX_MINUTES = 360_000;

function requireNats(): string {
  const url = process.env.NATS_URL;
  if (!url) throw new Error('NATS_URL must be set (test/support/with-servers.js starts a throwaway nats-server when it is installed: apt-get install nats-server).');
  return url;
}

/** Replaces `from` with `to` in a project file; fails if `from` is absent (a stale break-case). */
async function replaceIn(dir: string, file: string, from: string, to: string): Promise<void> {
  const text = await readFile(path.join(dir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`break-case is stale: ${file} no longer contains ${from}`);
  await writeFile(path.join(dir, file), text.replace(from, to));
}

const cases = [
  { name: 'shop', args: ['--yes', '--blueprint', 'microservices', '--no-verify'], tests: 14 },
  { name: 'rentals', args: ['--yes', '--blueprint', 'microservices', '--no-verify', '--spec', path.resolve('test/fixtures/specs/rentals.yaml')], tests: 16 },
  // Multi-tenant: each service database holds its tenant rows under RLS, events carry the tenant, read models are scoped.
  { name: 'saas', args: ['--yes', '--blueprint', 'microservices', '--no-verify', '--spec', path.resolve('test/fixtures/specs/tasks-saas.yaml')], tests: 22 },
];

describe.each(cases)('generated microservices: $name', ({ name, args, tests }) => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const { databaseUrl, redisUrl } = requireServers();
    env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, NATS_URL: requireNats(), JWT_SECRET: 'e2e-secret-that-is-at-least-32-characters-long', NODE_ENV: 'test' };
    const cwd = await mkdtemp(path.join(tmpdir(), 'cba-micro-'));
    dir = path.join(cwd, name);
    const result = await execa('node', [BIN, name, ...args], { cwd, reject: false, env: { CI: 'true' }, stdin: 'ignore', all: true });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain('npm run dev:gateway');
  }, SIX_MINUTES);

  const run = (script: string) => execa('npm', ['run', script], { cwd: dir, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, reject: false, all: true });

  it('type-checks, lints, is formatted and builds', async () => {
    for (const script of ['typecheck', 'lint', 'format:check', 'build']) {
      const result = await run(script);
      expect(result.exitCode, `${script}:\n${result.all}`).toBe(0);
    }
  }, SIX_MINUTES);

  it('passes its own tests against real PostgreSQL, Redis and NATS JetStream', async () => {
    const result = await run('test');
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(new RegExp(`services\\.test\\.ts \\(${tests} tests\\)`));
    expect(result.all).not.toMatch(/skipped|todo/);
  }, SIX_MINUTES);

  it("the gateway serves a merged OpenAPI document with 0 Spectral errors (spectral:oas + OWASP API Top 10)", async () => {
    // The built processes as deployed (after the build above): each service on its own migrated
    // database and port, the gateway in front of them.
    const services = (await readdir(path.join(dir, 'migrations'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(services.length).toBeGreaterThan(1);
    const processes: ResultPromise[] = [];
    const upstreams: Record<string, string> = {};
    try {
      for (const service of services) {
        const databaseUrl = await freshDatabase(`openapi_${service}`);
        const serviceEnv = { ...env, SERVICE: service, DATABASE_URL: databaseUrl };
        const migrated = await execa('node', ['dist/db/migrate.js'], { cwd: dir, env: serviceEnv, reject: false, all: true });
        expect(migrated.exitCode, migrated.all).toBe(0);
        const [port, metricsPort] = [await freePort(), await freePort()];
        processes.push(execa('node', ['dist/server.js'], { cwd: dir, env: { ...serviceEnv, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: String(metricsPort), LOG_LEVEL: 'warn' }, reject: false, all: true }));
        upstreams[`${service.replace(/-/g, '_').toUpperCase()}_SERVICE_URL`] = `http://127.0.0.1:${port}`;
      }
      const gatewayPort = await freePort();
      processes.push(execa('node', ['dist/gateway/server.js'], { cwd: dir, env: { ...env, ...upstreams, HOST: '127.0.0.1', PORT: String(gatewayPort), LOG_LEVEL: 'warn' }, reject: false, all: true }));
      let document: { openapi?: string; paths?: Record<string, unknown> } | undefined;
      for (const deadline = Date.now() + 60_000; !document && Date.now() < deadline; ) {
        const r = await fetch(`http://127.0.0.1:${gatewayPort}/openapi.json`).catch(() => undefined);
        if (r?.ok) document = (await r.json()) as typeof document;
        else await new Promise((resolve) => setTimeout(resolve, 300));
      }
      expect(document, 'GET /openapi.json through the gateway never answered 200').toBeDefined();
      expect(document!.openapi).toBe('3.1.0');
      expect(Object.keys(document!.paths ?? {})).toContain('/auth/token');
      const findings = await lintOpenApi(document);
      const errors = findings.filter((f) => f.severity === 'error');
      expect(errors.length, summarize(errors)).toBe(0);
      console.log(`${name}: Spectral ${errors.length} errors, ${findings.filter((f) => f.severity === 'warning').length} warnings on ${Object.keys(document!.paths ?? {}).length} paths`);
    } finally {
      for (const p of processes) p.kill('SIGTERM');
      await Promise.all(processes);
    }
  }, SIX_MINUTES);

  it('verify: no check fails', async () => {
    // Everything but the project's own type-check and test run, which the tests above just did.
    const only = 'schema.,api.,code.,security.,async.,observability.,delivery.,architecture.,microservices.';
    const result = await execa('node', [path.resolve('bin/backend-arch.js'), 'verify', dir, '--json', '--no-report', '--only', only], { reject: false, env: { CI: 'true', ...env } });
    const report = JSON.parse(result.stdout) as { totals: { fail: number; pass: number }; results: { id: string; status: string; summary: string }[] };
    expect(report.results.filter((r) => r.status === 'fail').map((r) => `${r.id}: ${r.summary}`)).toEqual([]);
    if (name === 'saas') expect(report.results.find((r) => r.id === 'schema.tenant-isolation')?.status).toBe('pass');
    const own = report.results.filter((r) => r.id.startsWith('microservices.'));
    expect(own.map((r) => `${r.id}: ${r.status}`).sort()).toEqual(
      ['consumer-idempotent', 'database-per-service', 'dead-letter', 'events-through-outbox', 'manifests', 'one-hop', 'role-isolation'].map((id) => `microservices.${id}: pass`),
    );
  }, SIX_MINUTES);

  // The shared dynamic checks, driven through the gateway (every service on its own database, with
  // its relay and consumer, behind it), except the project's own type-check and tests run above.
  const DYNAMIC = ['explain-access-patterns', 'api-walk', 'security-headers', 'cors-allowlist', 'job-accepted-without-worker', 'job-roundtrip', 'metrics-series', 'rate-limit-429', 'readiness', 'graceful-shutdown', 'load-p95'].map((id) => `dynamic.${id}`);
  const verifyOnly = async (ids: string[]) => {
    const result = await execa('node', [path.resolve('bin/backend-arch.js'), 'verify', dir, '--json', '--no-report', '--only', ids.join(',')], { reject: false, env: { CI: 'true', ...env } });
    return JSON.parse(result.stdout) as { results: { id: string; status: string; summary: string; evidence: { text: string }[] }[] };
  };

  it('verify: every shared dynamic check runs through the gateway and passes (none skipped)', async () => {
    const report = await verifyOnly(DYNAMIC);
    expect(report.results.map((r) => `${r.id}: ${r.status}${r.status === 'pass' ? '' : `: ${r.summary} ${r.evidence.map((e) => e.text).join(' | ').slice(0, 600)}`}`)).toEqual(DYNAMIC.map((id) => `${id}: pass`));
  }, SIX_MINUTES * 2);

  // The shared dynamic checks judge the system at its edge (the gateway) and in each service's database:
  // break either, the check fails. [check, what is broken, file, from, to, the failure's summary]
  const BREAKS: [string, string, string, string | RegExp, string, RegExp][] = [
    ['dynamic.cors-allowlist', "the gateway's CORS accepts any origin", 'src/gateway/app.ts', 'origin: config.CORS_ORIGINS', 'origin: true', /CORS is not an allowlist/],
    ['dynamic.security-headers', 'the gateway no longer sets the security headers', 'src/gateway/app.ts', 'reply.headers(securityHeaders);', 'void securityHeaders;', /responses lack security headers/],
    ['dynamic.rate-limit-429', "the gateway's anonymous limit is ignored", 'src/gateway/app.ts', 'config.RATE_LIMIT_USER_MAX : config.RATE_LIMIT_ANONYMOUS_MAX', 'config.RATE_LIMIT_USER_MAX : 1_000_000', /none answered 429/],
    ['dynamic.readiness', "the gateway's readiness no longer pings Redis", 'src/gateway/app.ts', 'const ok = await redis.ping().then(', 'const ok = await Promise.resolve().then(', /readiness stays 200 with Redis down/],
    ['dynamic.api-walk', 'the consumers never apply an event to a read model (a create naming another service\'s row stays 422)', 'src/events/consumer.ts', 'if (first.rowCount === 0) return false;', 'if (first.rowCount !== -1) return false;', /step\(s\) of the completion checklist fail/],
  ];
  // Role isolation broken four different ways: a migration that opens the database again, a role shared
  // in compose, a Deployment given another service's Secret, an init script that leaves a database open.
  const ISOLATION_BREAKS: [string, (d: string) => Promise<void>, RegExp][] = [
    [
      'a later migration grants CONNECT and SELECT back to PUBLIC',
      (d) =>
        writeFile(
          path.join(d, 'migrations/project/0002_open.sql'),
          "-- Up Migration\nDO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO PUBLIC', current_database()); END $$;\nGRANT USAGE ON SCHEMA public TO PUBLIC;\nGRANT SELECT, DELETE ON ALL TABLES IN SCHEMA public TO PUBLIC;\n\n-- Down Migration\n",
        ),
      /role opens project's database and reaches .*\(read, write\)/,
    ],
    ['docker-compose.yml runs the project service with the team role', (d) => replaceIn(d, 'docker-compose.yml', 'postgres://project:project@postgres:5432/project', 'postgres://team:team@postgres:5432/project'), /the services project, team share the role team/],
    ["the project API's Deployment reads the team service's Secret", (d) => replaceIn(d, 'k8s/project-api.yaml', 'name: project-database', 'name: team-database'), /share the Secret team-database/],
    ['the init script leaves the task database open to PUBLIC', (d) => replaceIn(d, 'docker/postgres-init.sql', 'REVOKE ALL ON DATABASE task FROM PUBLIC;', ''), /the task database is not closed to PUBLIC/],
  ];
  // The break cases run on one spec (shop): they edit its files, and a second spec would prove nothing more.
  it.each(name === 'shop' ? ISOLATION_BREAKS : [])('verify: microservices.role-isolation fails when %s', async (_what, breakIt, evidence) => {
    const files = ['docker-compose.yml', 'k8s/project-api.yaml', 'docker/postgres-init.sql'];
    const saved = await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f), 'utf8')] as const));
    try {
      await breakIt(dir);
      const report = await verifyOnly(['microservices.role-isolation']);
      const r = report.results[0]!;
      expect(r.status, r.summary).toBe('fail');
      expect(r.evidence.map((e) => e.text).join('\n')).toMatch(evidence);
    } finally {
      for (const [f, text] of saved) await writeFile(path.join(dir, f), text);
      await rm(path.join(dir, 'migrations/project/0002_open.sql'), { force: true });
    }
  }, SIX_MINUTES);

  it.each(name === 'shop' ? BREAKS : [])('verify: %s fails when %s', async (id, _what, file, from, to, summary) => {
    const full = path.join(dir, file);
    const original = await readFile(full, 'utf8');
    const broken = original.replace(from, to);
    expect(broken, `${file} no longer contains ${String(from)}`).not.toBe(original);
    await writeFile(full, broken);
    try {
      const report = await verifyOnly([id]);
      const r = report.results.find((x) => x.id === id)!;
      expect(r.status, `${r.summary} ${r.evidence.map((e) => e.text).join(' | ')}`).toBe('fail');
      expect(r.summary).toMatch(summary);
    } finally {
      await writeFile(full, original);
    }
  }, SIX_MINUTES);

  it('verify: the dynamic event checks fail on a consumer broken on purpose', async () => {
    // A consumer that forgets its inbox (a replay applies twice) and never dead-letters (a poison event
    // is retried until the broker gives up, silently).
    const file = path.join(dir, 'src/events/consumer.ts');
    const original = await readFile(file, 'utf8');
    const broken = original
      .replace('if (first.rowCount === 0) return false;', '')
      .replace('if (msg.info.deliveryCount >= options.maxDeliver) {', 'if (msg.info.deliveryCount >= options.maxDeliver + 1000) {');
    expect(broken).not.toBe(original);
    await writeFile(file, broken);
    try {
      const result = await execa('node', [path.resolve('bin/backend-arch.js'), 'verify', dir, '--json', '--no-report', '--only', 'microservices.consumer-idempotent,microservices.dead-letter'], {
        reject: false,
        env: { CI: 'true', ...env },
      });
      const report = JSON.parse(result.stdout) as { results: { id: string; status: string; summary: string }[] };
      expect(result.exitCode).toBe(1);
      expect(report.results.map((r) => `${r.id}: ${r.status}: ${r.summary}`)).toEqual([
        expect.stringMatching(/^microservices\.consumer-idempotent: fail: replaying an event changed the rm_\w+ read model a second time/),
        expect.stringMatching(/^microservices\.dead-letter: fail: a poison event was not dead-lettered/),
      ]);
    } finally {
      await writeFile(file, original);
    }
  }, SIX_MINUTES);
});
