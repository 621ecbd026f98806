/**
 * `add resource`, `add job` and `update` on a hand-edited serverless project: the new entity gets its handlers,
 * schemas, repository, tests and one additive migration; the new job its queue with bounded retries and
 * a dead-letter queue in wrangler.jsonc; the hand edit survives; the blueprint's own static checks
 * still pass.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitTree } from '../../generators/core/commit.js';
import { EXAMPLE_SPEC_PATH } from '../../generators/core/version.js';
import { answersSchema } from '../../generators/core/manifest.js';
import { loadSpecFile } from '../../generators/domain/load.js';
import { generateProject } from '../../generators/pipeline/generate.js';
import { runRegen } from '../../generators/regen/run.js';
import { addJobChange, addResourceChange, replaceSpecChange } from '../../generators/regen/spec-change.js';
import { runVerify } from '../../generators/verify/run.js';
import { git, gitInitCommit, read, tempDir } from './helpers.js';

let root: string;
let dir: string;

beforeAll(async () => {
  root = tempDir('serverless');
  dir = path.join(root, 'fn-api');
  const spec = await loadSpecFile(EXAMPLE_SPEC_PATH);
  const { tree } = await generateProject({ targetDir: dir, answers: answersSchema.parse({ name: 'fn-api', blueprint: 'serverless' }), spec });
  await commitTree(tree);
  gitInitCommit(dir);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('serverless: add resource, add job', () => {
  it('adds the entity and the job, keeps the hand edit, and the own checks still pass', async () => {
    const handlers = 'src/modules/project/handlers.ts';
    const edited = read(dir, handlers).replace('const ENTITY = ', '// our note: projects are audited\nconst ENTITY = ');
    writeFileSync(path.join(dir, handlers), edited);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'hand edit');

    await runRegen({
      dir,
      generator: 'resource',
      change: addResourceChange('invoice', { fields: ['number:string:max=40', 'amount_cents:integer:min=0', 'project_id:uuid:ref=project'], access: ['project_id:created_at-desc'] }),
    });
    for (const f of ['src/modules/invoice/handlers.ts', 'src/modules/invoice/schemas.ts', 'src/modules/invoice/repository.ts', 'test/integration/invoice.test.ts', 'test/factories/invoice.ts'])
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    expect(read(dir, 'src/modules/index.ts')).toContain('...invoiceRoutes');
    expect(read(dir, 'src/auth/permissions.ts')).toContain('invoice: {');
    const added = readdirSync(path.join(dir, 'migrations')).filter((f) => f.startsWith('0002_'));
    expect(added).toHaveLength(1);
    const migration = read(dir, `migrations/${added[0]}`);
    expect(migration).toMatch(/CREATE TABLE invoice \(/);
    expect(migration).toMatch(/CREATE INDEX \w+ ON invoice \(project_id, created_at DESC, id DESC\)/);
    expect(read(dir, handlers)).toContain('// our note: projects are audited');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'add invoice');

    await runRegen({ dir, generator: 'job', change: addJobChange('send-invoice', { entity: 'invoice', retries: 2 }) });
    const wrangler = read(dir, 'wrangler.jsonc');
    expect(wrangler).toContain('"queue": "fn-api-send-invoice"');
    expect(wrangler).toMatch(/"max_retries": 2,\s*"dead_letter_queue": "fn-api-send-invoice-dlq"/);
    expect(existsSync(path.join(dir, 'src/jobs/send-invoice.ts'))).toBe(true);
    expect(read(dir, 'src/jobs/definitions.ts')).toContain("'send-invoice': {");
    expect(read(dir, handlers)).toContain('// our note: projects are audited');

    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'add send-invoice');

    // update after a spec change: a new optional field → one additive migration, the edit kept.
    await runRegen({
      dir,
      generator: 'update',
      specFromManifest: true,
      change: (m) => {
        const spec = structuredClone(m.spec);
        spec.entities.team!.fields.motto = { type: 'text', optional: true, unique: false };
        return replaceSpecChange(spec, 'manifest');
      },
    });
    const alter = readdirSync(path.join(dir, 'migrations')).filter((f) => f.startsWith('0003_'));
    expect(alter).toHaveLength(1);
    expect(read(dir, `migrations/${alter[0]}`)).toMatch(/ALTER TABLE team ADD COLUMN motto text/);
    expect(read(dir, 'src/modules/team/schemas.ts')).toContain('motto');
    expect(read(dir, handlers)).toContain('// our note: projects are audited');

    const report = await runVerify({ dir, staticOnly: true, only: ['serverless.queues-dead-letter', 'serverless.no-await-job', 'serverless.db-through-proxy', 'serverless.alerts', 'schema.access-pattern-indexes', 'schema.fk-indexed'] });
    expect(report.results.map((r) => `${r.id}: ${r.status} ${r.summary}`).filter((l) => !l.includes(': pass '))).toEqual([]);
  });
});
