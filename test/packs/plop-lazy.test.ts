/**
 * node-plop is loaded only by `generate`: the compiled CLI runs `new` and `add` with node-plop made
 * unloadable (a module hook that throws when anything resolves it), from a pack that ships a plopfile;
 * the same hook makes `generate` fail, which proves the hook bites. Builds dist/ first (tsc).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = path.resolve('.');
const PACK = path.resolve('test/fixtures/packs/plop-notes');
let cwd: string;
let hook: string;

beforeAll(async () => {
  const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  expect(build.stdout + build.stderr).toBe('');
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-plop-lazy-'));
  hook = path.join(cwd, 'no-node-plop.mjs');
  const resolver = `export async function resolve(specifier, context, next) { if (specifier === 'node-plop' || specifier.includes('/node-plop/')) throw new Error('node-plop was loaded'); return next(specifier, context); }`;
  await writeFile(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(resolver)}`)});\n`);
}, 320_000);
afterAll(() => rm(cwd, { recursive: true, force: true }));

function run(bin: 'create-backend-arch' | 'backend-arch', args: string[], dir = cwd) {
  return spawnSync(process.execPath, ['--import', hook, path.join(ROOT, 'bin', `${bin}.js`), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, CI: '1' } });
}

it('new and add never load node-plop; generate does', () => {
  const created = run('create-backend-arch', ['lazy', '--yes', '--pack', PACK, '--no-install', '--no-verify', '--no-git']);
  expect(created.stderr).toBe('');
  expect(created.status).toBe(0);
  const dir = path.join(cwd, 'lazy');
  const added = run('backend-arch', ['add', 'resource', 'tag', '--field', 'label:string'], dir);
  expect(added.stderr).toBe('');
  expect(added.status).toBe(0);
  const listed = run('backend-arch', ['generate'], dir);
  expect(listed.status).not.toBe(0);
  expect(listed.stderr).toContain('node-plop was loaded');
}, 300_000);
