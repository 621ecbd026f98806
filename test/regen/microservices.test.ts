/**
 * `add resource` in a microservices project: into an existing service (one additive migration in that
 * service's stream, its module registered for that service only, a cross-service id checked against the
 * read model) and into a new service (a new database's migration stream); without --service, a clear
 * error naming the entity; a new cross-service reference from an existing service creates that
 * service's read model in its additive migration (applied on a real PostgreSQL: DATABASE_URL, e.g. via
 * `node test/support/with-servers.js npx vitest run test/regen/microservices.test.ts`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { commitTree } from '../../generators/core/commit.js';
import { answersSchema, MANIFEST_PATH, readManifest, serializeManifest } from '../../generators/core/manifest.js';
import { loadSpecFile } from '../../generators/domain/load.js';
import { generateProject } from '../../generators/pipeline/generate.js';
import { runRegen } from '../../generators/regen/run.js';
import { addResourceChange, replaceSpecChange } from '../../generators/regen/spec-change.js';
import { findServerBinaries } from '../../generators/servers/throwaway.js';
import { freshDatabase, requireServers } from '../support/servers.js';
import { git, gitInitCommit, tempDir } from './helpers.js';

let dir: string;
const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');

/** A fresh database on the test server; `psql` runs SQL on it; `drop` removes it. */
async function scratchDatabase(name: string) {
  const bin = findServerBinaries().psql ?? 'psql';
  const url = await freshDatabase(name);
  const psql = (input: string) => execa(bin, [url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1'], { input, reject: false });
  const drop = () => execa(bin, [requireServers().databaseUrl, '-X', '-q', '-c', `DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`], { reject: false });
  /** Applies the up part of each of the stream's migration files, in order; each must succeed. */
  const applyUp = async (stream: string, files: string[]) => {
    for (const file of files) {
      const applied = await psql(read(`migrations/${stream}/${file}`).split(/^-- Down Migration/m)[0]!);
      expect(applied.exitCode, `${file}: ${applied.stderr}`).toBe(0);
    }
  };
  return { psql, drop, applyUp };
}

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

  it('a new cross-service reference from an existing service: its read model in that stream\'s additive migration, applied on PostgreSQL', async () => {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'updated');
    // catalog referenced no other service until now: a wishlist of an accounts user needs rm_user there.
    expect(read('migrations/catalog/0001_initial.sql')).not.toContain('rm_user');
    const result = await runRegen({
      dir,
      generator: 'resource',
      change: addResourceChange('wishlist', { fields: ['user_id:uuid:ref=user', 'film_id:uuid:ref=film', 'note:string'], access: [], service: 'catalog' }),
    });
    expect(result.conflicts).toEqual([]);
    const migrations = result.outcomes.filter((o) => o.path.startsWith('migrations/') && o.status === 'create').map((o) => o.path);
    expect(migrations).toEqual(['migrations/catalog/0003_add_wishlist.sql']);
    const sql = read(migrations[0]!);
    const [up, down] = sql.split(/^-- Down Migration/m) as [string, string];
    expect(up).toContain('CREATE TABLE rm_user (');
    expect(up.indexOf('CREATE TABLE rm_user (')).toBeLessThan(up.indexOf('CREATE TABLE wishlist ('));
    expect(up).toMatch(/user_id uuid NOT NULL,/);
    expect(up).toMatch(/film_id uuid NOT NULL REFERENCES film \(id\)/);
    expect(down.indexOf('DROP TABLE wishlist;')).toBeLessThan(down.indexOf('DROP TABLE rm_user;'));
    // Only catalog gained a read model; the other streams and the recorded migrations are untouched.
    expect(read('migrations/catalog/0001_initial.sql')).not.toContain('rm_user');
    // The consumer side: catalog's durable consumer of accounts' user events, and the 422 check on it.
    const topology = read('src/events/topology.ts');
    const catalog = topology.slice(topology.indexOf('catalog: ['), topology.indexOf('accounts: ['));
    expect(catalog).toMatch(/table: 'rm_user',\s*subject: 'events\.accounts\.user\.\*',\s*durable: 'catalog--user'/);
    expect(read('src/modules/index.ts')).toMatch(/requireKnownReferences\(\[\{ column: 'user_id', readModel: 'rm_user', entity: 'user' \}\]\)[\s\S]*wishlistRoutes/);

    // On a real server: catalog's stream in order, then the read model takes an event's row.
    const { psql, drop, applyUp } = await scratchDatabase('micro_catalog');
    try {
      await applyUp('catalog', ['0001_initial.sql', '0002_change_film.sql', '0003_add_wishlist.sql']);
      const inserted = await psql("INSERT INTO rm_user (id, data) VALUES ('7f1c2b9e-1d2a-4f4b-9a8e-2b1f3c4d5e6f', '{\"handle\":\"ada\"}') RETURNING version");
      expect(inserted.stdout.trim(), inserted.stderr).toBe('1');
      const columns = await psql("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'rm_user'");
      expect(columns.stdout.trim()).toBe('id,data,deleted,version,created_at,updated_at');
      const reverted = await psql(down);
      expect(reverted.exitCode, reverted.stderr).toBe(0);
      expect((await psql("SELECT to_regclass('rm_user') IS NULL AND to_regclass('wishlist') IS NULL")).stdout.trim()).toBe('t');
    } finally {
      await drop();
    }
  }, 60_000);

  it('update adding a cross-service reference to an existing entity: the read model in that service\'s migration, applied on PostgreSQL', async () => {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'wishlist');
    const manifest = await readManifest(dir);
    const user = manifest.spec.entities.user!;
    const favorite = { type: 'uuid' as const, references: 'film', optional: true };
    const spec = { ...manifest.spec, entities: { ...manifest.spec.entities, user: { ...user, fields: { ...user.fields, favorite_film_id: favorite } } } };
    writeFileSync(path.join(dir, MANIFEST_PATH), serializeManifest({ ...manifest, spec } as typeof manifest));
    git(dir, 'commit', '-qam', 'spec: a user has a favorite film');
    const updated = await runRegen({ dir, generator: 'update', specFromManifest: true, change: (m) => replaceSpecChange(m.spec, 'manifest') });
    expect(updated.conflicts).toEqual([]);
    const migrations = updated.outcomes.filter((o) => o.path.startsWith('migrations/') && o.status === 'create').map((o) => o.path);
    expect(migrations).toEqual(['migrations/accounts/0002_change_user.sql']);
    const up = read(migrations[0]!).split(/^-- Down Migration/m)[0]!;
    expect(up).toContain('CREATE TABLE rm_film (');
    expect(up).toMatch(/ALTER TABLE "user" ADD COLUMN favorite_film_id uuid/);

    const { psql, drop, applyUp } = await scratchDatabase('micro_accounts');
    try {
      await applyUp('accounts', ['0001_initial.sql', '0002_change_user.sql']);
      expect((await psql("SELECT to_regclass('rm_film') IS NOT NULL")).stdout.trim()).toBe('t');
    } finally {
      await drop();
    }
  }, 60_000);
});
