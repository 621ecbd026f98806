/**
 * The slow story, against real PostgreSQL and Redis (DATABASE_URL / REDIS_URL, e.g. via
 * `node test/support/with-servers.js npx vitest run test/regen`): generate, install, migrate; then
 * `add resource` and `update` — after each, the project type-checks, its new migration applies on the
 * database that already has the previous ones, and its own test suite passes.
 * One `npm install` is shared between runs (node_modules cached by package.json hash, symlinked in).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MANIFEST_PATH, readManifest, serializeManifest } from '../../generators/core/manifest.js';
import { findServerBinaries } from '../../generators/servers/throwaway.js';
import { runRegen } from '../../generators/regen/run.js';
import { runVerify } from '../../generators/verify/run.js';
import { addResourceChange, replaceSpecChange } from '../../generators/regen/spec-change.js';
import { generateExample, git, gitInitCommit, tempDir } from './helpers.js';

const run = promisify(execFile);
const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;

async function sh(dir: string, cmd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${dir}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}\n${e.message}`);
  }
}

/** node_modules for this package.json, installed once and shared (symlinked) by every run. */
async function sharedInstall(dir: string): Promise<void> {
  const pkg = readFileSync(path.join(dir, 'package.json'), 'utf8');
  const { dependencies, devDependencies } = JSON.parse(pkg) as Record<string, unknown>;
  const key = createHash('sha256').update(JSON.stringify({ dependencies, devDependencies })).digest('hex').slice(0, 16);
  const cache = path.join(tmpdir(), 'backend-arch-regen-node-modules', key);
  if (!existsSync(path.join(cache, 'node_modules', '.installed'))) {
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    writeFileSync(path.join(cache, 'package.json'), JSON.stringify({ name: 'shared', private: true, type: 'module', dependencies, devDependencies }));
    await sh(cache, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']);
    writeFileSync(path.join(cache, 'node_modules', '.installed'), key);
  }
  symlinkSync(path.join(cache, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

async function psql(url: string, sql: string): Promise<string> {
  const bin = findServerBinaries().psql ?? 'psql';
  const { stdout } = await run(bin, ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql]);
  return stdout.trim();
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('add and update keep a working project (real PostgreSQL and Redis)', () => {
  it('type-checks, migrates incrementally and passes its own tests after add resource and after update', async () => {
    expect(DATABASE_URL, 'DATABASE_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    expect(REDIS_URL, 'REDIS_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    const root = tempDir('real');
    dirs.push(root);
    const dir = path.join(root, 'app');
    await generateExample(dir);
    await sharedInstall(dir);
    git(dir, 'init', '-q');
    // The shared node_modules is a symlink, which a `node_modules/` ignore pattern does not match.
    writeFileSync(path.join(dir, '.git', 'info', 'exclude'), 'node_modules\n');
    gitInitCommit(dir);

    // A database of its own that already has the initial migration applied.
    const db = `regen_${Date.now().toString(36)}`;
    await psql(DATABASE_URL!, `CREATE DATABASE ${db}`);
    const url = new URL(DATABASE_URL!);
    url.pathname = `/${db}`;
    const env = { DATABASE_URL: url.toString(), REDIS_URL: REDIS_URL!, NODE_ENV: 'test' };
    try {
      await sh(dir, 'npm', ['run', 'migrate'], env);
      expect(await psql(env.DATABASE_URL, 'SELECT name FROM pgmigrations ORDER BY id')).toBe('0001_initial');

      const added = await runRegen({
        dir,
        generator: 'resource',
        change: addResourceChange('invoice', {
          fields: ['number:string:max=40', 'amount_cents:integer:min=0', 'project_id:uuid:ref=project', 'paid:boolean:default=false'],
          access: ['project_id:created_at-desc'],
        }),
      });
      expect(added.conflicts).toEqual([]);
      await sh(dir, 'npx', ['tsc', '--noEmit']);
      await sh(dir, 'npm', ['run', 'migrate'], env);
      expect(await psql(env.DATABASE_URL, 'SELECT string_agg(name, \',\' ORDER BY id) FROM pgmigrations')).toBe('0001_initial,0002_add_invoice');
      await sh(dir, 'npx', ['vitest', 'run'], env);
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', 'add invoice');

      // The spec changes: an optional column on an existing table, and a new query on it.
      const manifest = await readManifest(dir);
      const spec = structuredClone(manifest.spec);
      spec.entities.project!.fields.notes = { type: 'text', optional: true, unique: false };
      spec.entities.invoice!.access.push({ where: ['paid'], order: 'created_at desc' });
      writeFileSync(path.join(dir, MANIFEST_PATH), serializeManifest({ ...manifest, spec }));
      git(dir, 'commit', '-qam', 'spec change');
      const updated = await runRegen({ dir, generator: 'update', specFromManifest: true, change: (m) => replaceSpecChange(m.spec, 'manifest') });
      expect(updated.conflicts).toEqual([]);
      expect(updated.migration?.file).toBe('migrations/0003_change_project_index_invoice.sql');
      await sh(dir, 'npx', ['tsc', '--noEmit']);
      await sh(dir, 'npm', ['run', 'migrate'], env);
      expect(await psql(env.DATABASE_URL, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'project' AND column_name = 'notes'")).toBe('1');
      await sh(dir, 'npx', ['vitest', 'run'], env);

      // And the whole checklist still holds on the extended, hand-edited project (invoice included).
      const report = await runVerify({ dir, staticOnly: false });
      const problems = report.results
        .filter((r) => r.status !== 'pass' && !(r.id === 'schema.tenant-isolation' && r.status === 'skip' && !r.notRun)) // no tenancy declared
        .map((r) => `${r.id}: ${r.status} — ${r.summary}\n${(r.evidence ?? []).map((e) => `  ${e.text}`).join('\n')}`);
      expect(problems).toEqual([]);
      expect(report.results.find((r) => r.id === 'dynamic.explain-access-patterns')?.summary).toMatch(/\d+ access pattern/);
    } finally {
      await psql(DATABASE_URL!, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    }
  }, 900_000);
});
