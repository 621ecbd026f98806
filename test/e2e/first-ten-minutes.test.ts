/**
 * The first ten minutes of a new user, from the package as published: `npm pack` → `npm exec
 * --package ./create-backend-arch-X.tgz create-backend-arch …` in an empty directory (generate,
 * install, git), then the "Next steps" the CLI printed, parsed from its output and run literally in a
 * shell against real PostgreSQL and Redis — the API answers and the worker starts with nothing but
 * `.env` configuring them. Then the generated project type-checks, and every dependency it pins
 * accepts Node 20, 22 and 24. `npm init backend-arch` reaches the same binary.
 *
 * One npm cache (the user's), every step bounded in time.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../generators/servers/throwaway.js';
import { freshDatabase, redisDatabase, requireServers } from '../support/servers.js';
import { admits } from '../support/node-range.js';

const REPO = path.resolve('.');
const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.com' };

const FIVE_MINUTES = 300_000;
const version = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')).version as string;

/** The environment of a user's shell: no server URLs or secrets inherited from this test run; a git identity (CI machines may have none). */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...GIT_IDENTITY, CI: 'true', NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'PORT', 'NODE_ENV', 'npm_config_user_agent']) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('npm_package_') || key.startsWith('npm_lifecycle_')) delete env[key];
  return env;
}

/** Runs one shell line in the background (its own process group) until `ready` holds; then stops the group. */
async function runUntil(line: string, cwd: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<{ output: string; becameReady: boolean }> {
  const child = spawn('sh', ['-c', line], { cwd, env: userEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));
  let becameReady = false;
  const deadline = Date.now() + timeoutMs;
  while (alive && Date.now() < deadline) {
    if (await ready()) {
      becameReady = true;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (alive) {
    process.kill(-child.pid!, 'SIGTERM');
    const killer = setTimeout(() => alive && process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  }
  return { output, becameReady };
}

const status = (url: string) => fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);

describe('the published package, and the printed next steps run literally', () => {
  let work: string;
  let tarball: string;
  let created: { exitCode: number | undefined; all: string };
  let steps: string[];

  beforeAll(async () => {
    requireServers();
    work = await mkdtemp(path.join(tmpdir(), 'cba-first-'));
    // The tarball exactly as `npm publish` would upload it (dist/ is built by `npm test` beforehand).
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO, timeout: 60_000 });
    tarball = path.join(work, JSON.parse(packed.stdout)[0].filename);
    const empty = path.join(work, 'empty');
    await execa('mkdir', [empty]);
    // No docker on the test machine: the generated project without the compose file, so the printed
    // steps point at our own servers through .env.
    const result = await execa(
      'npm',
      ['exec', '--yes', '--package', tarball, '--', 'create-backend-arch', 'shop-api', '--yes', '--no-verify', '--features', 'ci,monitoring,loadtest', '--spec', path.join(REPO, 'test/fixtures/specs/shop.yaml')],
      { cwd: empty, env: userEnv(), reject: false, all: true, timeout: FIVE_MINUTES },
    );
    created = { exitCode: result.exitCode, all: result.all ?? '' };
    const lines = created.all.split('\n');
    const from = lines.findIndex((l) => l.trim() === 'Next steps:');
    steps = from < 0 ? [] : lines.slice(from + 1).filter((l) => l.startsWith('  ')).map((l) => l.trim());
  }, FIVE_MINUTES * 2);

  it('npm exec --package ./create-backend-arch-X.tgz generates, installs and commits a project in an empty directory', async () => {
    expect(path.basename(tarball)).toBe(`create-backend-arch-${version}.tgz`);
    expect(created.exitCode, created.all).toBe(0);
    expect(created.all).not.toMatch(/^error:/m);
    const dir = path.join(work, 'empty', 'shop-api');
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['node_modules', 'package-lock.json', '.git', '.env.example']));
    expect(created.all).toMatch(/git: initialised, first commit [0-9a-f]+\./);
  });

  it('prints next steps that need nothing else: cd, .env, migrate && dev (and the worker)', () => {
    expect(steps.map((s) => s.replace(/\s+#.*$/, ''))).toEqual(['cd shop-api', 'cp .env.example .env', 'npm run migrate && npm run dev']);
  });

  it('runs the printed steps literally: .env alone configures migrate, the API and the worker', async () => {
    expect(steps, created.all).toHaveLength(3);
    let cwd = path.join(work, 'empty');
    const [cd, copy, migrateAndDev] = steps.map((s) => s.replace(/\s+#.*$/, ''));
    cwd = path.resolve(cwd, cd!.replace(/^cd /, ''));
    await execa('sh', ['-c', copy!], { cwd, env: userEnv(), timeout: 10_000 });
    // What the step's comment asks the user to do: point .env at their PostgreSQL and Redis.
    const port = await freePort();
    const metricsPort = await freePort();
    const values: Record<string, string> = {
      DATABASE_URL: await freshDatabase('first_ten_minutes'),
      REDIS_URL: redisDatabase(3),
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
    };
    const dotenv = await readFile(path.join(cwd, '.env'), 'utf8');
    await writeFile(path.join(cwd, '.env'), dotenv.replace(/^([A-Z_]+)=.*$/gm, (line, key: string) => (key in values ? `${key}=${values[key]}` : line)));

    const api = await runUntil(migrateAndDev!, cwd, async () => (await status(`http://127.0.0.1:${port}/health/ready`)) === 200, 120_000);
    expect(api.output).not.toContain('config error');
    expect(api.becameReady, api.output).toBe(true);
    expect(api.output).toMatch(/0001_initial/); // the migration ran against the database from .env

    const worker = await runUntil('npm run worker', cwd, async () => (await status(`http://127.0.0.1:${metricsPort}/metrics`)) === 200, 60_000);
    expect(worker.becameReady, worker.output).toBe(true);
  }, FIVE_MINUTES);

  it('the generated project type-checks, and every pinned package accepts Node 20, 22 and 24', async () => {
    const dir = path.join(work, 'empty', 'shop-api');
    const typecheck = await execa('npm', ['run', 'typecheck'], { cwd: dir, env: userEnv(), reject: false, all: true, timeout: FIVE_MINUTES });
    expect(typecheck.exitCode, typecheck.all).toBe(0);
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    const nodes = ['20.19.0', '22.0.0', '24.0.0'];
    for (const node of nodes) expect(admits(pkg.engines.node, node), `engines ${pkg.engines.node} vs ${node}`).toBe(true);
    const refusing: string[] = [];
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
      const installed = JSON.parse(await readFile(path.join(dir, 'node_modules', name, 'package.json'), 'utf8'));
      const range = installed.engines?.node as string | undefined;
      for (const node of nodes) if (range && !admits(range, node)) refusing.push(`${name}@${installed.version} engines.node "${range}" refuses ${node}`);
    }
    expect(refusing).toEqual([]);
  }, FIVE_MINUTES);

  it('npm init backend-arch runs the same binary (the package installed from the tarball)', async () => {
    const runner = path.join(work, 'runner');
    await execa('mkdir', [runner]);
    await execa('npm', ['install', '--no-save', '--no-package-lock', tarball], { cwd: runner, env: userEnv(), timeout: FIVE_MINUTES });
    const init = await execa('npm', ['init', 'backend-arch', '--', 'init-api', '--yes', '--no-install', '--no-verify'], { cwd: runner, env: userEnv(), reject: false, all: true, timeout: 120_000 });
    expect(init.exitCode, init.all).toBe(0);
    expect(init.all).toContain('Created init-api (');
    expect(JSON.parse(await readFile(path.join(runner, 'init-api/package.json'), 'utf8')).name).toBe('init-api');
  }, FIVE_MINUTES);
});
