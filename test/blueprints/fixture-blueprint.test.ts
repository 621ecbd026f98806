/**
 * The contract holds for a blueprint that is not a monolith: the fixture blueprint
 * (test/fixtures/blueprints/gateway-services: two processes, a [service] expansion, a migration stream
 * per service, its own check and runtime adapter) is loaded from a path and generated, added to,
 * updated and verified through the same CLI as the built-in one. Also: extends + override by path, and
 * the errors for a blueprint that cannot be found or loaded.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli } from '../support/cli.js';
import { git, gitInitCommit } from '../support/git.js';
import { runVerify } from '../../generators/verify/run.js';

const FIXTURE = path.resolve('test/fixtures/blueprints/gateway-services');
const SPEC = path.join(FIXTURE, 'example.yaml');
const noPost = ['--no-install', '--no-verify', '--no-git'];

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-fixture-bp-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

const manifestOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, '.backend-arch/manifest.json'), 'utf8'));
const backendArch = (args: string[], dir: string) => runCli(args, { cwd: dir, as: 'backend-arch' });

async function generate(name: string, extra: string[] = []): Promise<string> {
  const run = await runCli([name, '--name', name, '--spec', SPEC, '--yes', ...noPost, ...extra], { cwd });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const dir = path.join(cwd, name);
  gitInitCommit(dir);
  return dir;
}

describe('a blueprint loaded from a path (the fixture: gateway + services)', () => {
  it('generates: [service] and [stream]/[migration] expansions, a migration stream per service, the source recorded', async () => {
    const dir = await generate('blog');
    const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => !f.startsWith('.git'));
    expect(files).toEqual(
      expect.arrayContaining([
        'gateway.js',
        'services.js',
        'services/author/index.js',
        'services/author/migrations/0001_initial.sql',
        'services/metric-sample/index.js',
        'services/metric-sample/migrations/0001_initial.sql',
        'docs/architecture.md',
      ]),
    );
    // Nothing of the monolith leaks in.
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('migrations/'))).toBe(false);
    const author = await readFile(path.join(dir, 'services/author/migrations/0001_initial.sql'), 'utf8');
    expect(author).toMatch(/CREATE TABLE author \(/);
    expect(author).toMatch(/CREATE TABLE post \(/);
    expect(author).not.toMatch(/metric_sample/);
    const manifest = await manifestOf(dir);
    expect(manifest.blueprint).toBe('gateway-services');
    expect(manifest.blueprintSource).toMatchObject({ kind: 'path', version: '1.2.0' });
    expect(path.resolve(dir, manifest.blueprintSource.ref)).toBe(FIXTURE);
    expect(manifest.answers).toMatchObject({ features: ['docs'], options: { transport: 'http' } });
    expect(manifest.migrations).toEqual(['0001_initial.sql']);
    expect(manifest.migrationStreams).toEqual({ 'metric-sample': ['0001_initial.sql'] });
  });

  it('--blueprint PATH overrides the spec; the blueprint\'s features and questions are its own', async () => {
    const run = await runCli(['x', '--spec', SPEC, '--blueprint', path.relative(cwd, FIXTURE), '--features', 'docker', '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown --features "docker" for blueprint gateway-services. Expected a comma-separated list of: docs');
    const ok = await runCli(['nodocs', '--spec', SPEC, '--blueprint', FIXTURE, '--features', 'none', '--yes', ...noPost], { cwd });
    expect(ok.code).toBe(0);
    expect((await readdir(path.join(cwd, 'nodocs'))).includes('docs')).toBe(false);
    // An answers file: the blueprint folder and the spec are relative to the file; the blueprint's own question answered.
    await mkdir(path.join(cwd, 'answers'), { recursive: true });
    await writeFile(
      path.join(cwd, 'answers/blog.yaml'),
      stringify({ blueprint: path.relative(path.join(cwd, 'answers'), FIXTURE), spec: path.relative(path.join(cwd, 'answers'), SPEC), features: [], options: { transport: 'in-process' } }),
    );
    const replay = await runCli(['replayed', '--name', 'replayed', '--answers', 'answers/blog.yaml', ...noPost], { cwd });
    expect(replay.stderr).toBe('');
    expect((await manifestOf(path.join(cwd, 'replayed'))).answers).toEqual({ name: 'replayed', blueprint: 'gateway-services', packageManager: 'npm', features: [], options: { transport: 'in-process' } });
    expect(await readFile(path.join(cwd, 'replayed/gateway.js'), 'utf8')).toContain('(in-process)');
  });

  it('add resource: an additive migration in the stream of the service that owns the table, or a new stream for a new service', async () => {
    const dir = await generate('blog-add');
    const comment = await backendArch(['add', 'resource', 'comment', '--field', 'post_id:uuid:ref=post', '--field', 'body:text', '--dir', dir], cwd);
    expect(comment.stderr).toBe('');
    expect(comment.code).toBe(0);
    expect(comment.stdout).toContain('New migration services/author/migrations/0002_add_comment.sql');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'comment');
    const tag = await backendArch(['add', 'resource', 'tag', '--field', 'label:string:max=30', '--dir', dir], cwd);
    expect(tag.code).toBe(0);
    expect(tag.stdout).toContain('New migration services/tag/migrations/0001_initial.sql');
    const manifest = await manifestOf(dir);
    expect(manifest.migrations).toEqual(['0001_initial.sql', '0002_add_comment.sql']);
    expect(manifest.migrationStreams).toEqual({ 'metric-sample': ['0001_initial.sql'], tag: ['0001_initial.sql'] });
    const added = await readFile(path.join(dir, 'services/author/migrations/0002_add_comment.sql'), 'utf8');
    expect(added).toMatch(/CREATE TABLE comment \(/);
    expect(added).not.toMatch(/CREATE FUNCTION set_updated_at/); // built-in statements only in a stream's first migration
    // The recorded migrations were not touched.
    expect(git(dir, 'diff', '--stat', 'HEAD', '--', 'services/author/migrations/0001_initial.sql')).toBe('');
  });

  it('update: a spec change migrates only the stream whose tables changed; user edits survive', async () => {
    const dir = await generate('blog-update');
    await writeFile(path.join(dir, 'gateway.js'), `${await readFile(path.join(dir, 'gateway.js'), 'utf8')}// my note\n`);
    git(dir, 'commit', '-qam', 'edit');
    const manifest = await manifestOf(dir);
    manifest.spec.entities.metric_sample.fields.unit = { type: 'string', max: 20, optional: true, unique: false };
    await writeFile(path.join(dir, '.backend-arch/manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    git(dir, 'commit', '-qam', 'spec');
    const run = await backendArch(['update', '--dir', dir], cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('New migration services/metric-sample/migrations/0002_');
    expect(run.stdout).not.toContain('services/author/migrations/0002');
    expect(await readFile(path.join(dir, 'gateway.js'), 'utf8')).toContain('// my note');
    const after = await manifestOf(dir);
    expect(after.migrations).toEqual(['0001_initial.sql']);
    expect(after.migrationStreams['metric-sample']).toHaveLength(2);
  });

  it('verify --static: the selected shared checks pass, the others skip with the reason, its own check runs — and fails on breakage', async () => {
    const dir = await generate('blog-verify');
    const report = await runVerify({ dir, staticOnly: true });
    const byId = new Map(report.results.map((r) => [r.id, r]));
    expect(report.totals.fail).toBe(0);
    expect(byId.get('schema.fk-indexed')?.status).toBe('pass');
    expect(byId.get('schema.access-pattern-indexes')?.status).toBe('pass');
    expect(byId.get('gateway-services.stream-per-service')).toMatchObject({ status: 'pass' });
    expect(byId.get('security.password-hashing')).toMatchObject({ status: 'skip', summary: expect.stringContaining('does not apply to the gateway-services blueprint') });

    // Broken in two ways: a service's migration stream removed; another service's table moved into a stream.
    const broken = path.join(cwd, 'blog-broken');
    await cp(dir, broken, { recursive: true });
    await rm(path.join(broken, 'services/metric-sample/migrations'), { recursive: true });
    const r1 = await runVerify({ dir: broken, staticOnly: true, only: ['gateway-services.'] });
    expect(r1.results[0]).toMatchObject({ status: 'fail', evidence: [expect.objectContaining({ text: 'metric-sample has no initial migration' })] });

    const mixed = path.join(cwd, 'blog-mixed');
    await cp(dir, mixed, { recursive: true });
    const file = path.join(mixed, 'services/author/migrations/0001_initial.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\nCREATE TABLE metric_sample (id uuid PRIMARY KEY);\n`);
    const r2 = await runVerify({ dir: mixed, staticOnly: true, only: ['gateway-services.'] });
    expect(r2.results[0]).toMatchObject({ status: 'fail', evidence: [expect.objectContaining({ text: "creates another service's table: metric_sample" })] });
  });

  it('an npm package: resolved from node_modules, recorded with the package version, found again by verify', async () => {
    const pkg = path.join(cwd, 'node_modules/gateway-services-blueprint');
    await cp(FIXTURE, pkg, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(pkg, 'blueprint.json'), 'utf8'));
    delete manifest.version; // the package's version is the blueprint's
    await writeFile(path.join(pkg, 'blueprint.json'), JSON.stringify(manifest));
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'gateway-services-blueprint', version: '3.4.5', type: 'module' }));
    const run = await runCli(['from-pkg', '--spec', SPEC, '--blueprint', 'gateway-services-blueprint', '--yes', ...noPost], { cwd });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const dir = path.join(cwd, 'from-pkg');
    expect((await manifestOf(dir)).blueprintSource).toEqual({ kind: 'package', ref: 'gateway-services-blueprint', version: '3.4.5' });
    const report = await runVerify({ dir, staticOnly: true, only: ['gateway-services.'] });
    expect(report.results.map((r) => [r.id, r.status])).toEqual([['gateway-services.stream-per-service', 'pass']]);
  });

  it('a blueprint extends another and overrides a template by path', async () => {
    const child = path.join(cwd, 'child-blueprint');
    await mkdir(path.join(child, 'templates'), { recursive: true });
    await writeFile(path.join(child, 'blueprint.json'), JSON.stringify({ id: 'gateway-services-plus', title: 'Child', extends: FIXTURE, version: '0.0.1' }));
    await writeFile(path.join(child, 'templates/README.md.ejs'), '# <%= plan.project.name %> (from the child blueprint)\n');
    const spec = path.join(cwd, 'child.yaml');
    const doc = parse(await readFile(SPEC, 'utf8')) as Record<string, unknown>;
    delete doc.blueprint;
    await writeFile(spec, stringify(doc));
    const run = await runCli(['kid', '--name', 'kid', '--spec', spec, '--blueprint', child, '--yes', ...noPost], { cwd });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(await readFile(path.join(cwd, 'kid/README.md'), 'utf8')).toBe('# kid (from the child blueprint)\n');
    expect(await readFile(path.join(cwd, 'kid/services.js'), 'utf8')).toContain('metric-sample'); // the parent's templates and planner
    expect((await manifestOf(path.join(cwd, 'kid'))).blueprint).toBe('gateway-services-plus');
  });
});

describe('blueprint errors name what is wrong and where', () => {
  it('an unknown id, a folder without blueprint.json, an invalid blueprint.json', async () => {
    const unknown = await runCli(['a', '--blueprint', 'no-such-blueprint-here', '--yes', ...noPost], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--blueprint: unknown blueprint "no-such-blueprint-here"');
    const noFolder = await runCli(['a', '--blueprint', './nowhere', '--yes', ...noPost], { cwd });
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toContain(`--blueprint: no blueprint at ${path.join(cwd, 'nowhere')}`);
    const bad = path.join(cwd, 'bad-blueprint');
    await mkdir(bad, { recursive: true });
    await writeFile(path.join(bad, 'blueprint.json'), JSON.stringify({ id: 'Bad Id', title: 'x' }));
    const invalid = await runCli(['a', '--blueprint', bad, '--yes', ...noPost], { cwd });
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`Invalid blueprint manifest ${path.join(bad, 'blueprint.json')}: id: expected a blueprint id`);
    const announced = await runCli(['a', '--blueprint', path.resolve('test/fixtures/blueprints/upcoming'), '--yes', ...noPost], { cwd });
    expect(announced.stderr).toContain('Blueprint "upcoming" (Upcoming, from --blueprint) is not available yet');
    expect(invalid.stderr).not.toMatch(/\n\s+at /);
    expect((await readdir(cwd)).includes('a')).toBe(false);
  });

  it('a project whose recorded blueprint is gone: the error names the manifest file and field', async () => {
    const dir = await generate('orphan');
    const manifest = await manifestOf(dir);
    manifest.blueprintSource.ref = '../moved-away';
    await writeFile(path.join(dir, '.backend-arch/manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const run = await backendArch(['verify', dir, '--static', '--no-report'], cwd);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path.join(dir, '.backend-arch/manifest.json')} field "blueprintSource": no blueprint at ${path.join(cwd, 'moved-away')}`);
    manifest.blueprint = 'Not An Id';
    await writeFile(path.join(dir, '.backend-arch/manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const invalid = await backendArch(['verify', dir, '--static', '--no-report'], cwd);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('is damaged: blueprint: expected a blueprint id');
  });
});
