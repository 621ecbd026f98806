/**
 * Generated projects for the reliability tests, checked the way a user's CI would: `tsc --noEmit`,
 * eslint, and `npm run migrate` against a real PostgreSQL. Generating is cheap; installing is not, so
 * the dependencies are installed once (per dependency set) into a cache folder and every generated
 * project links its node_modules there.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { main } from '../../generators/cli/main.js';
import { freshDatabase } from '../support/servers.js';

const TEN_MINUTES = 600_000;

/** Generates a project from a spec value (no install, no verify); returns its directory. */
export async function generateFromSpec(name: string, spec: unknown): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'cba-rel-'));
  const specFile = path.join(root, 'spec.yaml');
  await writeFile(specFile, stringify(spec, { aliasDuplicateObjects: false }));
  const dir = path.join(root, name);
  const out: string[] = [];
  const sink = { write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WritableStream;
  const code = await main(['new', dir, '--yes', '--no-install', '--no-verify', '--no-git', '--spec', specFile], { invokedAs: 'backend-arch', stdout: sink, stderr: sink, interactive: false });
  if (code !== 0) throw new Error(`generation failed (exit ${code}):\n${out.join('')}`);
  return dir;
}

export async function removeGenerated(dir: string): Promise<void> {
  await rm(path.dirname(dir), { recursive: true, force: true });
}

/**
 * Links dir/node_modules to an installed copy of the project's dependencies (installed once per
 * dependency set; a lock directory keeps two test files from installing the same set at once).
 */
export async function linkDependencies(dir: string): Promise<void> {
  const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: object; devDependencies?: object };
  const key = createHash('sha256').update(JSON.stringify([pkg.dependencies, pkg.devDependencies])).digest('hex').slice(0, 16);
  const cache = path.join(tmpdir(), `cba-rel-deps-${key}`);
  const modules = path.join(cache, 'node_modules');
  const lock = `${cache}.lock`;
  const deadline = Date.now() + TEN_MINUTES;
  while (!existsSync(path.join(cache, 'installed'))) {
    try {
      await mkdir(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if no test is installing)`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      continue;
    }
    try {
      await mkdir(cache, { recursive: true });
      await writeFile(path.join(cache, 'package.json'), JSON.stringify({ name: 'cba-rel-deps', private: true, dependencies: pkg.dependencies, devDependencies: pkg.devDependencies }));
      await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: cache, timeout: TEN_MINUTES });
      await writeFile(path.join(cache, 'installed'), '');
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  await symlink(modules, path.join(dir, 'node_modules'), 'dir');
}

export interface ToolResult {
  ok: boolean;
  output: string;
}

async function tool(dir: string, command: string, args: string[], env: Record<string, string> = {}): Promise<ToolResult> {
  const result = await execa(path.join(dir, 'node_modules', '.bin', command), args, {
    cwd: dir,
    reject: false,
    all: true,
    timeout: TEN_MINUTES,
    env: { NO_COLOR: '1', FORCE_COLOR: '0', ...env },
  });
  return { ok: result.exitCode === 0, output: result.all ?? '' };
}

export const typecheck = (dir: string) => tool(dir, 'tsc', ['--noEmit', '-p', 'tsconfig.json']);
export const lint = (dir: string) => tool(dir, 'eslint', ['.']);

/** tsc, then eslint (only when tsc passed): ok when both pass; the output of whichever failed. */
export async function typecheckAndLint(dir: string): Promise<ToolResult> {
  const tsc = await typecheck(dir);
  return tsc.ok ? lint(dir) : tsc;
}

/** `npm run migrate` on a fresh database (twice: the second run must be a no-op). */
export async function migrateFresh(dir: string, name: string): Promise<ToolResult> {
  const env = { DATABASE_URL: await freshDatabase(name) };
  const first = await tool(dir, 'tsx', ['src/db/migrate.ts'], env);
  if (!first.ok) return first;
  const second = await tool(dir, 'tsx', ['src/db/migrate.ts'], env);
  return { ok: second.ok && /no pending migrations/.test(second.output), output: `${first.output}\n${second.output}` };
}
