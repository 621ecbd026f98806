/**
 * `add resource` in a microservices project: into an existing service (one additive migration in that
 * service's stream, its module registered for that service only, a cross-service id checked against the
 * read model) and into a new service (a new database's migration stream); without --service, a clear
 * error naming the entity.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitTree } from '../../generators/core/commit.js';
import { answersSchema, MANIFEST_PATH, readManifest, serializeManifest } from '../../generators/core/manifest.js';
import { loadSpecFile } from '../../generators/domain/load.js';
import { generateProject } from '../../generators/pipeline/generate.js';
import { runRegen } from '../../generators/regen/run.js';
import { addResourceChange, replaceSpecChange } from '../../generators/regen/spec-change.js';
import { git, gitInitCommit, tempDir } from './helpers.js';

let dir: string;
const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

beforeAll(async () => {
  dir = path.join(tempDir('micro'), 'rentals');
  const spec = await loadSpecFile('test/fixtures/specs/rentals.yaml');
  const { tree } = await generateProject({ targetDir: dir, answers: answersSchema.parse({ name: 'rentals', blueprint: 'microservices' }), spec });
  await commitTree(tree);
  gitInitCommit(dir);
}, 60_000);

describe('add resource in a microservices project', () => {
  it('without --service: an error naming the entity and the services', async () => {
    await expect(runRegen({ dir, generator: 'resource', change: addResourceChange('invoice', { fields: ['number:string'], access: [] }) })).rejects.toThrow(
      /"invoice" is in no service; add it to one of services: catalog, accounts, sales/,
    );
  });

  it('into an existing service: one migration in its stream, a foreign key inside it, an indexed id across', async () => {
    const result = await runRegen({
      dir,
      generator: 'resource',
      allowDirty: true,
      change: addResourceChange('invoice', { fields: ['number:string', 'order_id:uuid:ref=order', 'film_id:uuid:ref=film'], access: [], service: 'sales' }),
    });
    const created = result.outcomes.filter((o) => o.status === 'create').map((o) => o.path);
    expect(created).toContain('migrations/sales/0002_add_invoice.sql');
    expect(created.filter((p) => p.startsWith('migrations/'))).toEqual(['migrations/sales/0002_add_invoice.sql']);
    const sql = read('migrations/sales/0002_add_invoice.sql');
    expect(sql).toMatch(/order_id uuid NOT NULL REFERENCES "order" \(id\)/);
    expect(sql).toMatch(/film_id uuid NOT NULL,/);
    expect(sql).toContain('CREATE INDEX invoice_film_id_fk_idx ON invoice (film_id);');
    const registry = read('src/modules/index.ts');
    const sales = registry.slice(registry.indexOf("case 'sales':"));
    expect(sales).toMatch(/requireKnownReferences\(\[\{ column: 'film_id', readModel: 'rm_film', entity: 'film' \}\]\)[\s\S]*invoiceRoutes/);
    expect(read('src/gateway/routes.ts')).toContain("{ prefix: '/invoices', service: 'sales' }");
  });

  it('into a new service: a new migration stream (its own database), routed by the gateway', async () => {
    const result = await runRegen({
      dir,
      generator: 'resource',
      allowDirty: true,
      change: addResourceChange('review', { fields: ['film_id:uuid:ref=film', 'stars:integer'], access: [], service: 'reviews' }),
    });
    expect(result.outcomes.find((o) => o.path === 'migrations/reviews/0001_initial.sql')?.status).toBe('create');
    const initial = read('migrations/reviews/0001_initial.sql');
    for (const table of ['outbox', 'inbox', 'dead_letters', 'rm_film', 'review']) expect(initial).toContain(`CREATE TABLE ${table} (`);
    expect(existsSync(path.join(dir, 'k8s/reviews-api.yaml'))).toBe(true);
    expect(read('src/gateway/routes.ts')).toContain("reviews: 'REVIEWS_SERVICE_URL'");
    expect(read('src/gateway/routes.ts')).toContain("{ prefix: '/reviews', service: 'reviews' }");
  });

  it('update after a spec change: one additive migration in the changed service\'s stream only', async () => {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'added resources');
    const manifest = await readManifest(dir);
    const film = manifest.spec.entities.film!;
    const spec = { ...manifest.spec, entities: { ...manifest.spec.entities, film: { ...film, fields: { ...film.fields, runtime_minutes: { ...film.fields.title!, type: 'integer' as const, max: 600, optional: true } } } } };
    writeFileSync(path.join(dir, MANIFEST_PATH), serializeManifest({ ...manifest, spec }));
    git(dir, 'commit', '-qam', 'spec: film runtime');
    const updated = await runRegen({ dir, generator: 'update', specFromManifest: true, change: (m) => replaceSpecChange(m.spec, 'manifest') });
    expect(updated.conflicts).toEqual([]);
    const migrations = updated.outcomes.filter((o) => o.path.startsWith('migrations/') && o.status === 'create').map((o) => o.path);
    expect(migrations).toEqual(['migrations/catalog/0002_change_film.sql']);
    expect(read('migrations/catalog/0002_change_film.sql')).toContain('ALTER TABLE film ADD COLUMN runtime_minutes integer');
  });
});
