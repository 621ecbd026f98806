/** The CLI as a user meets it: flags, answers files, prompts (scripted), errors, dry-run, atomic writes. */
import { mkdtemp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli, scriptedPrompter } from '../support/cli.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-cli-'));
});

const spec = path.resolve('test/fixtures/specs/shop.yaml');
const noPost = ['--no-install', '--no-verify'];

describe('create-backend-arch (non-interactive)', () => {
  it('generates a project with --yes and records a manifest with a hash per file', async () => {
    const run = await runCli(['my-api', '--yes', ...noPost], { cwd });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Created my-api');
    const manifest = JSON.parse(await readFile(path.join(cwd, 'my-api/.backend-arch/manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ schemaVersion: 1, blueprint: 'monolith-cache', answers: { name: 'my-api', packageManager: 'npm' } });
    expect(Object.keys(manifest.spec.entities)).toEqual(['team', 'project', 'task']);
    expect(manifest.files['package.json'].sha256).toMatch(/^[0-9a-f]{64}$/);
    const pkg = JSON.parse(await readFile(path.join(cwd, 'my-api/package.json'), 'utf8'));
    expect(pkg.name).toBe('my-api');
    expect(pkg.engines.node).toBe('>=20.19');
    // Nothing left beside it: the staging directory was renamed into place.
    expect(await readdir(cwd)).toEqual(['my-api']);
  });

  it('names the missing flag when a required answer is missing and there is no terminal', async () => {
    const run = await runCli(['my-api', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Missing domain spec: pass --spec FILE, or --yes to accept the default.');
    const noBlueprint = await runCli(['my-api', '--spec', spec, ...noPost], { cwd });
    expect(noBlueprint.stderr).toContain('Missing blueprint: pass --blueprint monolith-cache');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('a bad spec: clear error naming file, field and line; non-zero exit; nothing on disk', async () => {
    const bad = path.join(cwd, 'bad.yaml');
    await writeFile(bad, 'entities:\n  order:\n    fields:\n      total: { type: money }\n      customer_id: { type: uuid, references: customer }\n');
    const run = await runCli(['my-api', '--spec', 'bad.yaml', '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad.yaml:4:16 entities.order.fields.total.type: Invalid option: expected one of');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readdir(cwd)).toEqual(['bad.yaml']);
  });

  it('refuses a non-empty target without --force, and never touches its files', async () => {
    await mkdir(path.join(cwd, 'my-api'));
    await writeFile(path.join(cwd, 'my-api/notes.txt'), 'mine');
    const run = await runCli(['my-api', '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not empty');
    expect(await readdir(path.join(cwd, 'my-api'))).toEqual(['notes.txt']);
    const forced = await runCli(['my-api', '--yes', '--force', ...noPost], { cwd });
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(cwd, 'my-api/notes.txt'), 'utf8')).toBe('mine');
  });

  it('--dry-run lists files with their status and writes nothing', async () => {
    const run = await runCli(['my-api', '--yes', '--dry-run'], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Dry run: \d+ files would be written/);
    expect(run.stdout).toMatch(/create {4}package\.json/);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('--json prints a machine-readable result', async () => {
    const run = await runCli(['my-api', '--yes', '--json', '--dry-run'], { cwd });
    const result = JSON.parse(run.stdout);
    expect(result.dryRun).toBe(true);
    expect(result.files.some((f: { path: string }) => f.path === 'package.json')).toBe(true);
  });

  it('replays an answers file (spec path relative to it); flags win over it', async () => {
    await mkdir(path.join(cwd, 'conf'));
    await writeFile(path.join(cwd, 'conf/shop.yaml'), await readFile(spec, 'utf8'));
    await writeFile(path.join(cwd, 'conf/answers.json'), JSON.stringify({ blueprint: 'monolith-cache', spec: 'shop.yaml', features: ['ci'], packageManager: 'pnpm' }));
    const run = await runCli(['shop-api', '--answers', 'conf/answers.json', '--package-manager', 'npm', ...noPost], { cwd });
    expect(run.stderr).toBe('');
    const manifest = JSON.parse(await readFile(path.join(cwd, 'shop-api/.backend-arch/manifest.json'), 'utf8'));
    expect(manifest.answers).toEqual({ name: 'shop-api', blueprint: 'monolith-cache', packageManager: 'npm', features: ['ci'] });
    expect(Object.keys(manifest.spec.entities)).toEqual(['group', 'user', 'order', 'payment']);
    // Feature "docker" off: no Dockerfile.
    expect(Object.keys(manifest.files)).not.toContain('Dockerfile');
  });

  it('an invalid answers file names the file, the field and the line', async () => {
    await writeFile(path.join(cwd, 'answers.yaml'), 'blueprint: monolith-cache\npackageManager: bun\n');
    const run = await runCli(['x', '--answers', 'answers.yaml', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('answers.yaml:2:1 packageManager: Invalid option: expected one of "npm"|"pnpm"|"yarn"');
  });

  it('says clearly that a blueprint is not available yet', async () => {
    const run = await runCli(['x', '--yes', '--blueprint', 'serverless', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Blueprint "serverless" (Serverless) is not available yet');
  });

  it('rejects an unsafe project name', async () => {
    const run = await runCli(['x', '--name', '../Evil', '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid project name "../Evil"');
  });

  it('works as `backend-arch new`', async () => {
    const run = await runCli(['new', 'svc', '--yes', ...noPost], { cwd, as: 'backend-arch' });
    expect(run.code).toBe(0);
  });
});

describe('create-backend-arch (interactive, scripted prompts)', () => {
  it('asks name, domain, blueprint, package manager and features', async () => {
    const prompter = scriptedPrompter(['prompted-api', 'file', spec, 'monolith-cache', 'npm', ['monitoring']]);
    const run = await runCli([...noPost], { cwd, prompter });
    expect(run.code).toBe(0);
    // On a terminal, progress is shown task by task.
    expect(run.stderr).toMatch(/✓.* Render the monolith-cache blueprint \(4 entities, 1 job\)/);
    expect(run.stderr).toMatch(/✓.* Format \d+ rendered files with prettier/);
    expect(run.stderr).toMatch(/✓.* Write \d+ files/);
    expect(prompter.asked).toEqual(['Project name', 'Domain', 'Path to the spec file', 'Architecture blueprint', 'Package manager', 'Optional parts to include']);
    const manifest = JSON.parse(await readFile(path.join(cwd, 'prompted-api/.backend-arch/manifest.json'), 'utf8'));
    expect(manifest.answers.features).toEqual(['monitoring']);
    expect(Object.keys(manifest.spec.entities)).toContain('order');
  });

  it('the spec path prompt rejects an invalid spec with its error', async () => {
    await writeFile(path.join(cwd, 'bad.yaml'), 'entities: {}\n');
    const prompter = scriptedPrompter(['p', 'file', path.join(cwd, 'bad.yaml')]);
    const run = await runCli([...noPost], { cwd, prompter });
    expect(run.code).toBe(70); // the scripted prompter throws on a rejected answer
    expect(run.stderr).toContain('declare at least one entity');
  });
});
