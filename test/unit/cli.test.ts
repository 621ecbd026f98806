/** The CLI as a user meets it: flags, answers files, prompts (scripted), errors, dry-run, atomic writes. */
import { access, chmod, mkdtemp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, scriptedPrompter } from '../support/cli.js';

/** A fixture blueprint with available: false (test/fixtures/blueprints/upcoming). */
const UPCOMING = path.resolve('test/fixtures/blueprints/upcoming');

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-cli-'));
});

const spec = path.resolve('test/fixtures/specs/shop.yaml');
const noPost = ['--no-install', '--no-verify'];

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/**
 * An environment whose PATH holds only the named commands (links to the real ones, or stubs for
 * package managers this machine lacks), so tests decide what is "installed". A git identity is set
 * so the first commit works on a machine without a global one.
 */
const binDirs = new Map<string, string>();
function envWith(commands: string[], extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const key = commands.join(',');
  const bin = binDirs.get(key) ?? path.join(tmpdir(), `cba-bin-${process.pid}-${commands.join('-') || 'none'}`);
  binDirs.set(key, bin);
  return {
    PATH: bin,
    HOME: process.env.HOME,
    npm_config_user_agent: 'npm/11.0.0 node/v20.19.0 linux x64',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
    ...extra,
  };
}
beforeAll(async () => {
  const which = (cmd: string) => {
    try {
      return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  for (const commands of [['npm', 'pnpm', 'git'], ['npm', 'git'], ['npm'], ['npm', 'pnpm', 'yarn', 'git']]) {
    const bin = path.join(tmpdir(), `cba-bin-${process.pid}-${commands.join('-')}`);
    binDirs.set(commands.join(','), bin);
    await mkdir(bin, { recursive: true });
    for (const cmd of commands) {
      const real = which(cmd);
      if (real) await symlink(real, path.join(bin, cmd)).catch(() => undefined);
      else {
        await writeFile(path.join(bin, cmd), '#!/bin/sh\necho "stub $0 $*"\n');
        await chmod(path.join(bin, cmd), 0o755);
      }
    }
  }
});

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
    // The spec's own `name: shop` wins over the directory's name (see the precedence tests below).
    expect(manifest.answers).toEqual({ name: 'shop', blueprint: 'monolith-cache', packageManager: 'npm', features: ['ci'] });
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
    // A blueprint that announces itself with available: false (every built-in one is available).
    const run = await runCli(['x', '--yes', '--blueprint', UPCOMING, ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Blueprint "upcoming" (Upcoming, from --blueprint) is not available yet');
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
  it('asks domain, name, blueprint, package manager, features and git; a summary comes before writing', async () => {
    const noSpecName = path.join(cwd, 'shop-unnamed.yaml');
    await writeFile(noSpecName, (await readFile(spec, 'utf8')).replace(/^name: .*$/m, ''));
    const scripted = scriptedPrompter(['file', noSpecName, 'prompted-api', 'monolith-cache', 'npm', ['monitoring'], false]);
    const run = await runCli([...noPost], { cwd, prompter: scripted, env: envWith(['npm', 'pnpm', 'git']) });
    expect(run.stderr).not.toContain('error');
    expect(run.code).toBe(0);
    // On a terminal, progress is shown task by task.
    expect(run.stderr).toMatch(/✓.* Render the monolith-cache blueprint \(4 entities, 1 job\)/);
    expect(run.stderr).toMatch(/✓.* Format \d+ rendered files with prettier/);
    expect(run.stderr).toMatch(/✓.* Write \d+ files/);
    expect(scripted.asked).toEqual(['Domain', 'Path to the spec file', 'Project name', 'Architecture blueprint', 'Package manager', 'Optional parts to include', 'Initialize a git repository with a first commit?']);
    // Intro first, then the summary of every choice, then the writing.
    expect(run.stderr.indexOf('create-backend-arch 0.1.0')).toBe(0);
    const summaryAt = run.stderr.indexOf('Summary:');
    expect(summaryAt).toBeGreaterThan(0);
    expect(summaryAt).toBeLessThan(run.stderr.search(/Render the monolith-cache/));
    expect(run.stderr).toContain('package name     prompted-api (from prompt)');
    expect(run.stderr).toContain('optional parts   monitoring');
    expect(run.stderr).toContain('git              no');
    // And an outro pointing at the project's own documentation.
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe('Done. prompted-api/README.md explains the architecture, the API, the configuration and how to deploy.');
    const manifest = JSON.parse(await readFile(path.join(cwd, 'prompted-api/.backend-arch/manifest.json'), 'utf8'));
    expect(manifest.answers.features).toEqual(['monitoring']);
    expect(Object.keys(manifest.spec.entities)).toContain('order');
    expect(await exists(path.join(cwd, 'prompted-api/.git'))).toBe(false);
  });

  it('the spec path prompt rejects an invalid spec with its error', async () => {
    await writeFile(path.join(cwd, 'bad.yaml'), 'entities: {}\n');
    const prompter = scriptedPrompter(['file', path.join(cwd, 'bad.yaml')]);
    const run = await runCli([...noPost], { cwd, prompter });
    expect(run.code).toBe(70); // the scripted prompter throws on a rejected answer
    expect(run.stderr).toContain('declare at least one entity');
  });
});

describe('the usage that --help prints works', () => {
  it('create-backend-arch --help shows `create-backend-arch [options] [dir]`, and that form generates', async () => {
    const help = await runCli(['--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: create-backend-arch [options] [dir]');
    const run = await runCli(['foo', '--yes', ...noPost], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(await readdir(cwd)).toEqual(['foo']);
  });

  it('`create-backend-arch new foo` creates foo, and `new --yes` does not create a project called "new"', async () => {
    const foo = await runCli(['new', 'foo', '--yes', ...noPost], { cwd });
    expect(foo.stderr).not.toContain('too many arguments');
    expect(foo.code).toBe(0);
    const bare = await runCli(['new', '--yes', ...noPost], { cwd });
    expect(bare.code, bare.stderr).toBe(0);
    expect((await readdir(cwd)).sort()).toEqual(['foo', 'my-api']);
  });

  it('backend-arch new --help shows `backend-arch new [options] [dir]`, and that form generates', async () => {
    const help = await runCli(['new', '--help'], { cwd, as: 'backend-arch' });
    expect(help.stdout).toContain('Usage: backend-arch new [options] [dir]');
    const run = await runCli(['new', 'bar', '--yes', ...noPost], { cwd, as: 'backend-arch' });
    expect(run.code, run.stderr).toBe(0);
    expect(await readdir(cwd)).toEqual(['bar']);
  });
});

describe('project name: --name > answers file > the spec\'s name: > the directory > a question > "my-api" with --yes', () => {
  const rental = (extra = '') => `name: rental-shop\n${extra}entities:\n  car:\n    fields:\n      plate: { type: string, max: 20 }\n`;

  it('--yes with no directory generates ./my-api and says so (no advice to pass --yes)', async () => {
    const run = await runCli(['--yes', ...noPost], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Created my-api (');
    expect(run.stdout).toContain('package my-api, from the default');
    expect(run.stderr).not.toContain('--yes to accept');
    expect(await readdir(cwd)).toEqual(['my-api']);
  });

  it('without --yes, a terminal or a name: the error names the flags, and --yes is offered truthfully', async () => {
    await writeFile(path.join(cwd, 'car.yaml'), rental().replace('name: rental-shop\n', ''));
    const run = await runCli(['--spec', 'car.yaml', '--blueprint', 'monolith-cache', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Missing project name: pass a directory (create-backend-arch my-api) or --name NAME, or --yes to accept the default.');
    expect(await readdir(cwd)).toEqual(['car.yaml']);
  });

  it("the spec's name: wins over the directory's name, and the output says where the name came from", async () => {
    await writeFile(path.join(cwd, 'rental.yaml'), rental());
    const run = await runCli(['rental', '--spec', 'rental.yaml', '--yes', ...noPost], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Created rental (");
    expect(run.stdout).toContain("package rental-shop, from the spec's name:");
    expect(JSON.parse(await readFile(path.join(cwd, 'rental/package.json'), 'utf8')).name).toBe('rental-shop');
  });

  it("--name wins over the spec's name; with no directory the spec's name is the directory", async () => {
    await writeFile(path.join(cwd, 'rental.yaml'), rental());
    const named = await runCli(['a', '--name', 'fleet', '--spec', 'rental.yaml', '--yes', ...noPost], { cwd });
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(cwd, 'a/package.json'), 'utf8')).name).toBe('fleet');
    const noDir = await runCli(['--spec', 'rental.yaml', '--yes', ...noPost], { cwd });
    expect(noDir.code, noDir.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(cwd, 'rental-shop/package.json'), 'utf8')).name).toBe('rental-shop');
  });

  it('a directory name that is not a package name says where it came from', async () => {
    const run = await runCli(['My API', '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Invalid project name "My API" (from the directory's name)`);
  });
});

describe('package managers: only installed ones are offered, checked before anything is written', () => {
  it('offers the installed ones, defaulting to the one that launched us', async () => {
    const prompter = scriptedPrompter(['pnpm', ['ci'], false]);
    const run = await runCli(['pm-api', '--spec', spec, '--blueprint', 'monolith-cache', ...noPost], {
      cwd,
      prompter,
      env: envWith(['npm', 'pnpm', 'git'], { npm_config_user_agent: 'pnpm/9.12.0 npm/? node/v20.19.0 linux x64' }),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(prompter.choices['Package manager']).toEqual(['npm', 'pnpm']);
    const manifest = JSON.parse(await readFile(path.join(cwd, 'pm-api/.backend-arch/manifest.json'), 'utf8'));
    expect(manifest.answers.packageManager).toBe('pnpm');
  });

  it('asks nothing when only npm is installed; --yes takes the launcher when it is installed', async () => {
    const prompter = scriptedPrompter([['ci'], false]);
    const run = await runCli(['one', '--spec', spec, '--blueprint', 'monolith-cache', ...noPost], { cwd, prompter, env: envWith(['npm', 'git']) });
    expect(run.code, run.stderr).toBe(0);
    expect(prompter.asked).not.toContain('Package manager');
    const yes = await runCli(['two', '--yes', ...noPost], { cwd, env: envWith(['npm', 'pnpm', 'yarn', 'git'], { npm_config_user_agent: 'yarn/1.22.22 npm/? node/v20.19.0 linux x64' }) });
    expect(yes.code, yes.stderr).toBe(0);
    expect(JSON.parse(await readFile(path.join(cwd, 'two/.backend-arch/manifest.json'), 'utf8')).answers.packageManager).toBe('yarn');
  });

  it('a package manager that is not installed is an error before any question and before writing', async () => {
    const prompter = scriptedPrompter([]);
    const run = await runCli(['x', '--package-manager', 'pnpm', '--no-verify'], { cwd, prompter, env: envWith(['npm', 'git']) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('pnpm is not installed');
    expect(run.stderr).toContain('--package-manager npm, or --no-install');
    expect(prompter.asked).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
    // From an answers file too.
    await writeFile(path.join(cwd, 'answers.yaml'), 'packageManager: yarn\n');
    const fromFile = await runCli(['x', '--answers', 'answers.yaml', '--yes', '--no-verify'], { cwd, env: envWith(['npm', 'git']) });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain('yarn is not installed');
    expect(await readdir(cwd)).toEqual(['answers.yaml']);
  });
});

describe('the install step runs the package manager found on PATH', () => {
  /** A PATH with one stub package manager that records its run (or fails), and nothing else. */
  async function stubPath(pm: string, exitCode: number): Promise<string> {
    const bin = await mkdtemp(path.join(tmpdir(), 'cba-stub-'));
    await writeFile(path.join(bin, pm), `#!/bin/sh\necho "$0 $*" > installed-by-stub.txt\necho "stub install output"\nexit ${exitCode}\n`);
    await chmod(path.join(bin, pm), 0o755);
    return bin;
  }

  it('installs with the chosen package manager, in the project directory', async () => {
    const bin = await stubPath('pnpm', 0);
    const run = await runCli(['s', '--yes', '--package-manager', 'pnpm', '--no-verify', '--no-git'], { cwd, env: { PATH: bin } });
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(path.join(cwd, 's/installed-by-stub.txt'), 'utf8')).toBe(`${path.join(bin, 'pnpm')} install\n`);
    expect(run.stdout).not.toContain('pnpm install'); // installed: not a next step
  });

  it('a failed install keeps the project and says how to finish', async () => {
    const bin = await stubPath('yarn', 3);
    const run = await runCli(['f', '--yes', '--package-manager', 'yarn', '--no-verify', '--no-git'], { cwd, env: { PATH: bin } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('yarn install failed in');
    expect(run.stderr).toContain('stub install output');
    expect(run.stderr).toContain('hint: The project was generated.');
    expect(await exists(path.join(cwd, 'f/package.json'))).toBe(true);
  });
});

describe("a spec's blueprint: is checked before the first question", () => {
  const micro = `name: orders\nblueprint: ${UPCOMING}\nentities:\n  order:\n    fields:\n      total: { type: integer }\n`;

  it('--spec naming an unavailable blueprint: an error naming the file, with no question asked', async () => {
    await writeFile(path.join(cwd, 'micro.yaml'), micro);
    const prompter = scriptedPrompter([]);
    const run = await runCli(['--spec', 'micro.yaml', ...noPost], { cwd, prompter });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Blueprint "upcoming" (Upcoming, from micro.yaml: blueprint) is not available yet');
    expect(run.stderr).toContain('hint: Pass --blueprint monolith-cache');
    expect(prompter.asked).toEqual([]);
    expect(await readdir(cwd)).toEqual(['micro.yaml']);
    // --blueprint overrides the spec's choice.
    const chosen = await runCli(['o', '--spec', 'micro.yaml', '--blueprint', 'monolith-cache', '--yes', ...noPost], { cwd });
    expect(chosen.code, chosen.stderr).toBe(0);
  });

  it('the spec path question refuses such a spec at once', async () => {
    await writeFile(path.join(cwd, 'micro.yaml'), micro);
    const prompter = scriptedPrompter(['file', 'micro.yaml']);
    const run = await runCli([...noPost], { cwd, prompter });
    expect(run.stderr).toContain('prompt validation failed: Blueprint "upcoming"');
    expect(prompter.asked).toEqual(['Domain', 'Path to the spec file']);
  });
});

describe('git init and a first commit (a post-task after the commit to disk)', () => {
  const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });

  it('by default: one commit holding every file, and a clean tree', async () => {
    const run = await runCli(['g', '--yes', ...noPost], { cwd, env: envWith(['npm', 'git']) });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/git: initialised, first commit [0-9a-f]{7,}\./);
    const dir = path.join(cwd, 'g');
    expect(git(dir, 'log', '--format=%s')).toBe('Initial commit from create-backend-arch 0.1.0\n');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(dir, 'ls-files')).toContain('.backend-arch/manifest.json');
  });

  it('--no-git and a dry run leave no repository (a "no" at the question: see the interactive test)', async () => {
    expect((await runCli(['a', '--yes', '--no-git', ...noPost], { cwd, env: envWith(['npm', 'git']) })).code).toBe(0);
    expect(await exists(path.join(cwd, 'a/.git'))).toBe(false);
    expect((await runCli(['b', '--yes', '--dry-run'], { cwd, env: envWith(['npm', 'git']) })).code).toBe(0);
    expect(await exists(path.join(cwd, 'b'))).toBe(false);
  });

  it('skipped with a note inside an existing work tree, and when git is missing', async () => {
    git(cwd, 'init', '-q');
    const inside = await runCli(['mono', '--yes', ...noPost], { cwd, env: envWith(['npm', 'git']) });
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toMatch(/git: skipped: .*mono is inside the git work tree at /);
    expect(await exists(path.join(cwd, 'mono/.git'))).toBe(false);
    const other = await mkdtemp(path.join(tmpdir(), 'cba-cli-nogit-'));
    const noGit = await runCli(['x', '--yes', ...noPost], { cwd: other, env: envWith(['npm']) });
    expect(noGit.code, noGit.stderr).toBe(0);
    expect(noGit.stdout).toContain('git: skipped: git is not installed.');
  });
});

describe('git without an identity', () => {
  it('initialises and stages, says the first commit failed and how to make it, and the run still succeeds', async () => {
    const config = path.join(cwd, 'gitconfig');
    await writeFile(config, '[user]\n\tuseConfigOnly = true\n');
    const env = envWith(['npm', 'git'], { GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1' });
    for (const key of ['GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL']) delete env[key];
    const run = await runCli(['anon', '--yes', ...noPost], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/git: initialised, not committed: the first commit failed \(.+\); set user\.name and user\.email, then run `git commit -m "Initial commit from create-backend-arch 0\.1\.0"`\./);
    const staged = execFileSync('git', ['diff', '--cached', '--name-only'], { cwd: path.join(cwd, 'anon'), encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: config } });
    expect(staged).toContain('package.json');
  });
});

describe('the reproducible command and the saved answers replay the same project', () => {
  const read = async (dir: string) => JSON.parse(await readFile(path.join(dir, '.backend-arch/manifest.json'), 'utf8'));

  it('the printed command, run as printed, and --answers with the saved file give identical projects', async () => {
    await mkdir(path.join(cwd, 'specs'));
    await writeFile(path.join(cwd, 'specs/shop.yaml'), await readFile(spec, 'utf8'));
    const prompter = scriptedPrompter(['file', 'specs/shop.yaml', 'monolith-cache', 'pnpm', ['ci', 'loadtest'], true]);
    const env = envWith(['npm', 'pnpm', 'git']);
    const first = await runCli(['first', ...noPost], { cwd, prompter, env });
    expect(first.code, first.stderr).toBe(0);
    const lines = first.stdout.split('\n');
    const command = lines[lines.findIndex((l) => l.includes('The same project without questions:')) + 1]!.trim();
    expect(command).toBe(
      'npx create-backend-arch@0.1.0 first --yes --name shop --blueprint monolith-cache --spec specs/shop.yaml --package-manager pnpm --features ci,loadtest --no-install --no-verify',
    );
    const saved = await readFile(path.join(cwd, 'first/.backend-arch/answers.yaml'), 'utf8');
    expect(saved).toContain('spec: ../../specs/shop.yaml');

    // Run the printed command (without npx and the package name) somewhere else: no question is asked.
    const again = path.join(cwd, 'again');
    await mkdir(again);
    await mkdir(path.join(again, 'specs'));
    await writeFile(path.join(again, 'specs/shop.yaml'), await readFile(spec, 'utf8'));
    const replay = await runCli(command.split(' ').slice(2), { cwd: again, prompter: scriptedPrompter([]), env });
    expect(replay.code, replay.stderr).toBe(0);
    const [a, b] = [await read(path.join(cwd, 'first')), await read(path.join(again, 'first'))];
    expect(b.answers).toEqual(a.answers);
    expect(b.files).toEqual(a.files);

    // The saved answers file, replayed into another directory.
    const fromAnswers = await runCli(['third', '--answers', 'first/.backend-arch/answers.yaml', '--no-install', '--no-verify'], { cwd, prompter: scriptedPrompter([]), env });
    expect(fromAnswers.code, fromAnswers.stderr).toBe(0);
    const c = await read(path.join(cwd, 'third'));
    expect(c.answers).toEqual(a.answers);
    expect(c.files).toEqual(a.files);
    expect(await exists(path.join(cwd, 'third/.git'))).toBe(true);
  });
});

describe('next steps', () => {
  it('with docker: the compose services match .env.example, so every printed step runs as printed', async () => {
    const run = await runCli(['d', '--yes', ...noPost], { cwd });
    const steps = run.stdout.slice(run.stdout.indexOf('Next steps:')).split('\n').slice(1).filter(Boolean);
    expect(steps.map((s) => s.trim().replace(/\s+#.*$/, ''))).toEqual([
      'cd d',
      'npm install',
      'cp .env.example .env',
      'docker compose up -d postgres redis',
      'npm run migrate && npm run dev',
    ]);
    const env = await readFile(path.join(cwd, 'd/.env.example'), 'utf8');
    const compose = await readFile(path.join(cwd, 'd/docker-compose.yml'), 'utf8');
    expect(env).toContain('DATABASE_URL=postgres://app:app@localhost:5432/app');
    expect(compose).toMatch(/POSTGRES_USER: app/);
    expect(compose).toMatch(/5432:5432/);
    expect(compose).toMatch(/6379:6379/);
  });
});
