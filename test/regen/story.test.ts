/**
 * Copier-style update stories: generate, commit, edit by hand, `add resource`, change the spec,
 * `update`; every hand edit survives, deleted stays deleted, created is untouched, and an overlapping
 * edit gives exactly the expected conflict block.
 */
import { existsSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../generators/core/errors.js';
import { MANIFEST_PATH, readManifest, serializeManifest, sha256 } from '../../generators/core/manifest.js';
import { runRegen } from '../../generators/regen/run.js';
import { addIndexChange, addJobChange, addResourceChange, replaceSpecChange } from '../../generators/regen/spec-change.js';
import type { Spec } from '../../generators/domain/schema.js';
import { execa } from 'execa';
import { findServerBinaries } from '../../generators/servers/throwaway.js';
import { copyProject, folderHashes, generateExample, git, gitInitCommit, read, tempDir } from './helpers.js';

const invoice = () =>
  addResourceChange('invoice', {
    fields: ['number:string:max=40', 'amount_cents:integer:min=0', 'project_id:uuid:ref=project'],
    access: ['project_id:created_at-desc'],
  });

function withNotes(spec: Spec): Spec {
  const next = structuredClone(spec);
  next.entities.project!.fields.notes = { type: 'text', optional: true, unique: false };
  return next;
}

let root: string;
let pristine: string;

beforeAll(async () => {
  root = tempDir('story');
  pristine = path.join(root, 'pristine');
  await generateExample(pristine);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(name: string): string {
  return copyProject(pristine, path.join(root, name));
}

describe('add resource, then update, on a hand-edited project', () => {
  it('keeps every edit, deletion and user file; conflicts exactly where edits overlap', async () => {
    // What the generator alone produces for the same steps (no hand edits), to compare against.
    const clean = project('clean');
    await runRegen({ dir: clean, generator: 'resource', change: invoice() });
    const cleanAfterAdd = read(clean, 'src/modules/index.ts');

    const dir = project('story');
    gitInitCommit(dir);

    // Hand edits: a route handler, a template-owned config, a deleted file, a new file, and an edit of
    // the route registry line next to where `add resource` inserts its registration.
    const routes = 'src/modules/project/routes.ts';
    const routesEdited = read(dir, routes).replace("summary: 'Create a project'", "summary: 'Create a project (hand-edited)'");
    expect(routesEdited).toContain('hand-edited');
    writeFileSync(path.join(dir, routes), routesEdited);
    const env = read(dir, '.env.example').replace(/^PORT=3000$/m, 'PORT=8080 # ours');
    expect(env).toContain('PORT=8080 # ours');
    writeFileSync(path.join(dir, '.env.example'), env);
    const deleted = 'monitoring/grafana/dashboards/api.json';
    unlinkSync(path.join(dir, deleted));
    mkdirSync(path.join(dir, 'src/lib'), { recursive: true });
    writeFileSync(path.join(dir, 'src/lib/custom.ts'), 'export const mine = 1;\n');
    const registry = 'src/modules/index.ts';
    const taskLine = read(dir, registry).split('\n').find((l) => l.includes('taskRoutes, {'))!;
    const ourTaskLine = taskLine.replace("'/tasks'", "'/v2/tasks'");
    writeFileSync(path.join(dir, registry), read(dir, registry).replace(taskLine, ourTaskLine));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'hand edits');

    const added = await runRegen({ dir, generator: 'resource', change: invoice() });
    const status = Object.fromEntries(added.outcomes.map((o) => [o.path, o.status]));
    expect(status['src/modules/invoice/routes.ts']).toBe('create');
    expect(status[deleted]).toBe('kept-deleted');
    expect(status['src/lib/custom.ts']).toBeUndefined();
    expect(status[registry]).toBe('conflict');
    expect(added.conflicts).toEqual([registry]);
    expect(added.migration?.file).toBe('migrations/0002_add_invoice.sql');

    // The conflict: exactly our line against the generator's two lines; the new import merged cleanly.
    const invoiceLine = cleanAfterAdd.split('\n').find((l) => l.includes('invoiceRoutes, {'))!;
    const expected = cleanAfterAdd.replace(
      `${taskLine}\n${invoiceLine}\n`,
      `<<<<<<< yours\n${ourTaskLine}\n=======\n${taskLine}\n${invoiceLine}\n>>>>>>> generated\n`,
    );
    expect(expected).not.toBe(cleanAfterAdd);
    expect(read(dir, registry)).toBe(expected);

    expect(read(dir, routes)).toContain("summary: 'Create a project (hand-edited)'");
    expect(read(dir, '.env.example')).toContain('PORT=8080 # ours');
    expect(existsSync(path.join(dir, deleted))).toBe(false);
    expect(read(dir, 'src/lib/custom.ts')).toBe('export const mine = 1;\n');
    expect(read(dir, 'migrations/0002_add_invoice.sql')).toMatch(/CREATE TABLE invoice \(/);
    expect(read(dir, 'migrations/0001_initial.sql')).toBe(read(pristine, 'migrations/0001_initial.sql'));

    // The manifest records the generated content (not the conflicted file) so the next base is right.
    const manifest = await readManifest(dir);
    expect(manifest.migrations).toEqual(['0001_initial.sql', '0002_add_invoice.sql']);
    expect(manifest.files[registry]!.sha256).toBe(sha256(cleanAfterAdd));
    expect(manifest.spec.entities.invoice).toBeDefined();

    // The user resolves the conflict (keeps both), commits; then edits the spec in the manifest and updates.
    writeFileSync(path.join(dir, registry), cleanAfterAdd.replace(taskLine, ourTaskLine));
    const edited = { ...manifest, spec: withNotes(manifest.spec) };
    writeFileSync(path.join(dir, MANIFEST_PATH), serializeManifest(edited));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'resolve, add notes to the spec');

    const updated = await runRegen({ dir, generator: 'update', specFromManifest: true, change: (m) => replaceSpecChange(m.spec, 'manifest') });
    expect(updated.conflicts).toEqual([]);
    expect(updated.migration?.file).toBe('migrations/0003_change_project.sql');
    expect(read(dir, 'migrations/0003_change_project.sql')).toContain('ALTER TABLE project ADD COLUMN notes text;');
    const after = Object.fromEntries(updated.outcomes.map((o) => [o.path, o.status]));
    expect(after[deleted]).toBe('kept-deleted');
    expect(['merged', 'unchanged']).toContain(after[routes]);
    expect(read(dir, routes)).toContain("summary: 'Create a project (hand-edited)'");
    expect(read(dir, 'src/modules/project/schemas.ts')).toContain('notes');
    expect(read(dir, registry)).toContain(ourTaskLine);
    expect(read(dir, registry)).toContain(invoiceLine);
    expect(read(dir, '.env.example')).toContain('PORT=8080 # ours');
    expect(existsSync(path.join(dir, deleted))).toBe(false);
    expect(read(dir, 'src/lib/custom.ts')).toBe('export const mine = 1;\n');
    expect(read(dir, 'migrations/0002_add_invoice.sql')).toBe(read(clean, 'migrations/0002_add_invoice.sql'));
    expect((await readManifest(dir)).migrations).toEqual(['0001_initial.sql', '0002_add_invoice.sql', '0003_change_project.sql']);

    // Nothing left to do: a second update changes nothing.
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'update');
    const again = await runRegen({ dir, generator: 'update', specFromManifest: true, change: (m) => replaceSpecChange(m.spec, 'manifest') });
    expect(again.migration).toBeUndefined();
    expect(again.outcomes.filter((o) => !['unchanged', 'kept-deleted'].includes(o.status))).toEqual([]);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  }, 60_000);

  it('add job and add index: a job module, and a migration with the index and the query it serves', async () => {
    const dir = project('job-index');
    const job = await runRegen({ dir, generator: 'job', change: addJobChange('recount-tasks', { entity: 'team' }) });
    expect(job.outcomes.find((o) => o.path === 'src/jobs/recount-tasks.ts')?.status).toBe('create');
    expect(job.migration).toBeUndefined();
    const index = await runRegen({ dir, generator: 'index', change: addIndexChange('task', { where: ['done'], order: 'created_at desc' }) });
    expect(index.migration?.file).toBe('migrations/0002_index_task.sql');
    const sql = read(dir, 'migrations/0002_index_task.sql');
    expect(sql).toContain('-- Serves GET /tasks?done=…&sort=created_at:desc');
    expect(sql).toContain('CREATE INDEX task_done_created_at_desc_idx ON task (done, created_at DESC, id DESC);');
    expect((await readManifest(dir)).spec.entities.task!.access).toContainEqual({ where: ['done'], order: 'created_at desc' });
  }, 60_000);
});

describe('refusals and safety', () => {
  it('refuses a dirty git working tree unless --allow-dirty, and says why', async () => {
    const dir = project('dirty');
    gitInitCommit(dir);
    writeFileSync(path.join(dir, 'README.md'), `${read(dir, 'README.md')}\nuncommitted\n`);
    const err = await runRegen({ dir, generator: 'resource', change: invoice() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/uncommitted changes:\n\s+M README\.md/);
    expect((err as UserError).message).toMatch(/git checkout -- \.` takes you back/);
    expect((err as UserError).hint).toMatch(/--allow-dirty/);
    const ok = await runRegen({ dir, generator: 'resource', change: invoice(), allowDirty: true });
    expect(read(dir, 'README.md')).toContain('uncommitted');
    expect(ok.outcomes.find((o) => o.path === 'README.md')?.status).toBe('merged');
  }, 60_000);

  it('explains what add needs in a folder that was not generated', async () => {
    const dir = tempDir('plain');
    writeFileSync(path.join(dir, 'package.json'), '{}\n');
    const err = await runRegen({ dir, generator: 'resource', change: invoice() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/is not a project generated by create-backend-arch \(\.backend-arch\/manifest\.json is missing\)/);
    expect((err as Error).message).toMatch(/`backend-arch add resource` extends a generated project/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run prints a diff of every change and writes nothing', async () => {
    const dir = project('dry');
    const before = folderHashes(dir);
    const result = await runRegen({ dir, generator: 'resource', change: invoice(), dryRun: true });
    expect(folderHashes(dir)).toEqual(before);
    expect(result.diff).toContain('--- /dev/null\n+++ b/src/modules/invoice/routes.ts');
    expect(result.diff).toContain('+++ b/migrations/0002_add_invoice.sql');
    expect(result.diff).toMatch(/\+\+\+ b\/src\/modules\/index\.ts\n@@[^\n]*\n(.*\n)*\+import \{ invoiceRoutes \}/);
  }, 60_000);

  it('is atomic: a failure while writing leaves the project exactly as it was', async () => {
    const dir = project('fault');
    const before = folderHashes(dir);
    await expect(runRegen({ dir, generator: 'resource', change: invoice(), faultAfter: 5 })).rejects.toThrow(/injected fault/);
    expect(folderHashes(dir)).toEqual(before);
  }, 60_000);

  it('refuses a generator downgrade', async () => {
    const dir = project('downgrade');
    const manifest = await readManifest(dir);
    writeFileSync(path.join(dir, MANIFEST_PATH), serializeManifest({ ...manifest, generator: { ...manifest.generator, version: '99.0.0' } }));
    await expect(runRegen({ dir, generator: 'resource', change: invoice() })).rejects.toThrow(/generated by create-backend-arch 99\.0\.0, newer than this one/);
  });

  it('refuses destructive schema changes unless allowed, never editing an applied migration', async () => {
    const dir = project('destructive');
    const manifest = await readManifest(dir);
    const spec = structuredClone(manifest.spec);
    delete spec.entities.project!.fields.budget_cents;
    spec.entities.task!.fields.title = { ...spec.entities.task!.fields.title!, max: 500 };
    const before = folderHashes(dir);
    const err = await runRegen({ dir, generator: 'update', change: replaceSpecChange(spec, 'spec.yaml') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/project\.budget_cents: dropping a column deletes its data/);
    expect((err as Error).message).toMatch(/task\.title: type varchar\(300\) → varchar\(500\)/);
    expect((err as UserError).hint).toMatch(/--allow-destructive/);
    expect(folderHashes(dir)).toEqual(before);
    const allowed = await runRegen({ dir, generator: 'update', change: replaceSpecChange(spec, 'spec.yaml'), allowDestructive: true });
    const sql = read(dir, allowed.migration!.file);
    expect(sql).toContain('ALTER TABLE project DROP COLUMN budget_cents;');
    expect(sql).toContain('ALTER TABLE task ALTER COLUMN title TYPE varchar(500) USING title::varchar(500);');
    expect(read(dir, 'migrations/0001_initial.sql')).toBe(read(pristine, 'migrations/0001_initial.sql'));
  }, 60_000);

  it('update that makes an entity append-only: an additive migration with the refusing trigger, PATCH/DELETE gone; the database refuses afterwards', async () => {
    expect(process.env.DATABASE_URL, 'DATABASE_URL must be set (run through test/support/with-servers.js)').toBeTruthy();
    const dir = project('append-only');
    const manifest = await readManifest(dir);
    const spec = structuredClone(manifest.spec);
    spec.entities.team!.appendOnly = true;
    const result = await runRegen({ dir, generator: 'update', change: replaceSpecChange(spec, 'spec.yaml') });
    expect(result.conflicts).toEqual([]);
    expect(result.migration?.file).toBe('migrations/0002_change_team.sql');
    const sql = read(dir, result.migration!.file);
    expect(sql).toContain('CREATE FUNCTION team_refuse_change() RETURNS trigger');
    expect(sql).toContain('CREATE TRIGGER team_append_only BEFORE UPDATE OR DELETE ON team FOR EACH ROW EXECUTE FUNCTION team_refuse_change();');
    expect(sql).toContain('CREATE TRIGGER team_append_only_truncate BEFORE TRUNCATE ON team FOR EACH STATEMENT EXECUTE FUNCTION team_refuse_change();');
    expect(sql).toMatch(/-- Down Migration[\s\S]*DROP TRIGGER team_append_only ON team;[\s\S]*DROP FUNCTION team_refuse_change\(\);/);
    expect(read(dir, 'migrations/0001_initial.sql')).toBe(read(pristine, 'migrations/0001_initial.sql'));
    const routes = read(dir, 'src/modules/team/routes.ts');
    expect(routes).not.toMatch(/app\.(patch|delete)\(/);
    expect(routes).toMatch(/app\.post\(/);
    expect(existsSync(path.join(dir, 'src/modules/team/repository.ts')) && read(dir, 'src/modules/team/repository.ts')).not.toMatch(/export async function (update|delete)Team/);

    // On a real server: the initial migration, a row, then the new migration: the row is now frozen.
    const bin = findServerBinaries().psql ?? 'psql';
    const psql = (url: string, input: string) => execa(bin, [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'], { input, reject: false });
    const name = `story_append_${Date.now().toString(36)}`;
    await psql(process.env.DATABASE_URL!, `CREATE DATABASE ${name}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${name}`;
    try {
      const upOf = (file: string) => read(dir, file).split(/^-- Down Migration/m)[0]!;
      expect((await psql(url.toString(), upOf('migrations/0001_initial.sql'))).exitCode).toBe(0);
      expect((await psql(url.toString(), "INSERT INTO team (name) VALUES ('before')")).exitCode).toBe(0);
      const applied = await psql(url.toString(), upOf(result.migration!.file));
      expect(applied.exitCode, applied.stderr).toBe(0);
      const refused = await psql(url.toString(), "UPDATE team SET name = 'after'");
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/team is append-only: UPDATE is not allowed/);
      expect((await psql(url.toString(), 'DELETE FROM team')).stderr).toMatch(/team is append-only: DELETE is not allowed/);
      expect((await psql(url.toString(), 'SELECT name FROM team')).stdout.trim()).toBe('before');
    } finally {
      await psql(process.env.DATABASE_URL!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  }, 60_000);

  it('validates the change like a spec and names the flag', async () => {
    const dir = project('invalid');
    const change = addResourceChange('invoice', { fields: ['customer_id:uuid:ref=customer'], access: ['nope:created_at-desc'] });
    const err = await runRegen({ dir, generator: 'resource', change }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/--field "customer_id:uuid:ref=customer" entities\.invoice\.fields\.customer_id\.references: unknown entity "customer"/);
    expect((err as Error).message).toMatch(/--access "nope:created_at-desc" entities\.invoice\.access\[0\]\.where\[0\]: unknown column "nope"/);
  });
});
