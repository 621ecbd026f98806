/**
 * The compiled CLI (dist/, built by `npm test` before the suites start — not rebuilt here, since other suites
 * run the same files in parallel):
 *  - node-plop is loaded only by `generate`: `new` and `add` run with node-plop made unloadable (a module
 *    hook that throws when anything resolves it), from a pack that ships a plopfile; the same hook makes
 *    `generate` fail, which proves the hook bites;
 *  - on a terminal (a pseudo-terminal from Python's pty module), a prompt without --answer is asked
 *    through node-plop's inquirer, and the one given with --answer is not.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = path.resolve('.');
const PACK = path.resolve('test/fixtures/packs/plop-notes');
let cwd: string;
let hook: string;

beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-plop-lazy-'));
  hook = path.join(cwd, 'no-node-plop.mjs');
  const resolver = `export async function resolve(specifier, context, next) { if (specifier === 'node-plop' || specifier.includes('/node-plop/')) throw new Error('node-plop was loaded'); return next(specifier, context); }`;
  await writeFile(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(resolver)}`)});\n`);
}, 30_000);
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

/** Runs the command on a pseudo-terminal, types `typed` once the prompt shows, returns the output and the exit code. */
const PTY_DRIVER = `
import os, pty, select, sys, time, json
cwd, typed, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.chdir(cwd)
    env = {k: v for k, v in os.environ.items() if k != 'CI'}
    os.execve(argv[0], argv, env)
out = b''
def read(seconds, until=None):
    global out
    end = time.time() + seconds
    while time.time() < end and not (until and until in out):
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try: out += os.read(fd, 4096)
            except OSError: return
read(60, b'Which service')
os.write(fd, typed.encode() + b'\\r')
read(60, b'file(s)')
read(2)
_, status = os.waitpid(pid, 0)
print(json.dumps({'out': out.decode(errors='replace'), 'code': os.waitstatus_to_exitcode(status)}))
`;

it('on a terminal, the prompts --answer did not give are asked through inquirer', async () => {
  const created = run('create-backend-arch', ['tty', '--yes', '--pack', PACK, '--no-install', '--no-verify', '--no-git']);
  expect(created.status).toBe(0);
  const dir = path.join(cwd, 'tty');
  const result = JSON.parse(
    execFileSync('python3', ['-c', PTY_DRIVER, dir, 'billing', process.execPath, path.join(ROOT, 'bin/backend-arch.js'), 'generate', 'note', '--answer', 'listed=no'], { encoding: 'utf8', timeout: 150_000 }),
  ) as { out: string; code: number };
  expect(result.code).toBe(0);
  expect(result.out).toContain('Which service the note is about');
  expect(result.out).not.toContain('List it in README.md');
  expect(result.out).toContain('wrote 2 file(s)');
  expect(await readFile(path.join(dir, 'docs/notes/billing.md'), 'utf8')).toContain('Notes about the billing service.');
}, 200_000);
