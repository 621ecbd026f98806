import { describe, expect, it } from 'vitest';
import { planProject } from '../../generators/plan/plan.js';
import { loadSpecFile, parseSpecText } from '../../generators/domain/load.js';
import type { Spec } from '../../generators/domain/schema.js';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';

const monolith = await resolveBlueprint('monolith-cache', { from: process.cwd(), what: 'test' });
const planOf = (spec: Spec) =>
  planProject({ spec, name: 'x', blueprint: 'monolith-cache', packageManager: 'npm', features: ['docker'], generatorVersion: '0.0.0' }, monolith);

describe('planner: index derivation', async () => {
  const acme = planOf(await loadSpecFile('blueprints/examples/acme-tasks.yaml'));
  const shop = planOf(await loadSpecFile('test/fixtures/specs/shop.yaml'));
  const entity = (plan: typeof acme, name: string) => plan.entities.find((e) => e.name === name)!;

  it('creates tables referenced-first', () => {
    expect(acme.entities.map((e) => e.name)).toEqual(['team', 'project', 'task']);
    expect(shop.entities.map((e) => e.name)).toEqual(['group', 'user', 'order', 'payment']);
  });

  it('derives one index per access pattern: equality columns, then the sort column, then id; partial on soft-deleted tables', () => {
    const project = entity(acme, 'project');
    expect(project.indexes.map((i) => i.sql)).toEqual([
      'CREATE INDEX project_team_id_fk_idx ON project (team_id);',
      'CREATE INDEX project_team_id_created_at_desc_idx ON project (team_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;',
      'CREATE INDEX project_status_updated_at_desc_idx ON project (status, updated_at DESC, id DESC) WHERE deleted_at IS NULL;',
      // The plain list and each sort alone (?sort= with no filter) are index scans too.
      'CREATE INDEX project_created_at_desc_idx ON project (created_at DESC, id DESC) WHERE deleted_at IS NULL;',
      'CREATE INDEX project_updated_at_desc_idx ON project (updated_at DESC, id DESC) WHERE deleted_at IS NULL;',
    ]);
    expect(project.indexes[1]!.serves).toBe(
      'GET /projects?team_id=…&sort=created_at:desc — project list filtered by team_id, ordered by created_at desc (keyset on created_at, id); partial: live rows only',
    );
  });

  it('keeps a full FK index on soft-deleted tables (the FK check must see deleted rows) but not a redundant one elsewhere', () => {
    expect(entity(acme, 'project').indexes[0]!.where).toBeNull();
    // user.group_id leads a full access-pattern index, so no separate FK index.
    const user = entity(shop, 'user');
    expect(user.indexes.map((i) => i.name)).toEqual(['user_group_id_display_name_key', 'user_group_id_created_at_desc_idx', 'user_created_at_desc_idx']);
    expect(user.indexes[1]!.serves).toContain('also backs the foreign key user.group_id → group.id');
    // order.user_id leads (user_id, status, placed_at): also covered.
    expect(entity(shop, 'order').indexes.filter((i) => i.kind === 'foreign-key')).toEqual([]);
  });

  it('an access pattern without an order is served in the default list order', () => {
    expect(entity(shop, 'user').indexes[1]!.columnsSql).toBe('group_id, created_at DESC, id DESC');
  });

  it('quotes reserved words everywhere they are printed', () => {
    const order = entity(shop, 'order');
    expect(order.table).toBe('"order"');
    expect(order.indexes[0]!.sql).toBe(
      'CREATE INDEX order_user_id_status_placed_at_desc_idx ON "order" (user_id, status, placed_at DESC, id DESC);',
    );
    expect(order.columns.find((c) => c.name === 'user_id')!.ddl).toBe('user_id uuid NOT NULL REFERENCES "user" (id) ON DELETE RESTRICT');
    expect(acme.migrations[0]!.up.map((s) => s.sql).join('\n')).not.toMatch(/ON user |TABLE user /);
    const ddl = shop.migrations[0]!.up.map((s) => s.sql).join('\n');
    expect(ddl).toContain('CREATE TABLE "group" (');
    expect(ddl).toContain('CREATE TABLE "user" (');
  });

  it('uses a partial unique index instead of UNIQUE on soft-deleted tables', () => {
    const spec = parseSpecText('entities:\n  tag:\n    softDelete: true\n    fields:\n      slug: { type: string, max: 40, unique: true }\n', 's.yaml');
    const tag = planOf(spec).entities[0]!;
    expect(tag.columns.find((c) => c.name === 'slug')!.ddl).not.toContain('UNIQUE');
    expect(tag.indexes.map((i) => i.sql)).toEqual([
      'CREATE UNIQUE INDEX tag_slug_live_key ON tag (slug) WHERE deleted_at IS NULL;',
      'CREATE INDEX tag_created_at_desc_idx ON tag (created_at DESC, id DESC) WHERE deleted_at IS NULL;',
    ]);
  });

  it('keeps index names within PostgreSQL’s 63 characters, deterministically', () => {
    const long = 'a_very_long_column_name_for_testing_x';
    const spec = parseSpecText(
      `entities:\n  some_quite_long_entity_name:\n    fields:\n      ${long}: { type: string }\n      ${long}2: { type: string }\n    access:\n      - { where: [${long}, ${long}2] }\n`,
      's.yaml',
    );
    const [index] = planOf(spec).entities[0]!.indexes;
    expect(index!.name.length).toBeLessThanOrEqual(63);
    expect(planOf(spec).entities[0]!.indexes[0]!.name).toBe(index!.name);
  });

  it('derives sorts (default first) and list filters from access patterns', () => {
    const order = entity(shop, 'order');
    expect(order.sorts.map((s) => [s.key, s.orderBySql, s.cursorOp, s.castType])).toEqual([
      ['created_at:desc', 'created_at DESC, id DESC', '<', 'timestamptz'],
      ['placed_at:desc', 'placed_at DESC, id DESC', '<', 'timestamptz'],
      ['total:asc', 'total ASC, id ASC', '>', 'numeric(12, 2)'],
      ['placed_at:asc', 'placed_at ASC, id ASC', '>', 'timestamptz'],
      ['shipped_at:desc', 'shipped_at DESC NULLS LAST, id DESC', '<', 'timestamptz'],
    ]);
    expect(order.filters.map((f) => [f.name, f.equality, f.nullCheck])).toEqual([
      ['user_id', true, false],
      ['status', true, false],
      ['shipped_at', false, true],
      ['channel', true, false],
    ]);
  });

  it('derives the API and test shapes of columns', () => {
    const order = entity(shop, 'order');
    const col = (n: string) => order.columns.find((c) => c.name === n)!;
    expect(col('status').schema).toEqual({ enum: ['pending', 'inProgress', 'paid', 'shipped', 'cancelled'] });
    expect(col('channel').ddl).toContain(`CHECK (channel IN ('web', 'in-store', 'B2B'))`);
    expect(col('status').required).toBe(false); // has a default
    expect(col('total').required).toBe(true);
    expect(col('sequence_no').schema).toEqual({ type: 'string', pattern: '^-?[0-9]{1,19}$', maxLength: 20 });
    expect(order.forbiddenWriteRole).toBe('viewer');
    expect(JSON.parse(order.invalidBodyJson)).toEqual({ user_id: { not: 'a valid value' } });
  });

  it('plans jobs with exponential-backoff attempts and their route', () => {
    expect(acme.jobs).toMatchObject([{ name: 'export-project', attempts: 6, routePath: '/projects/:id/jobs/export-project', entity: 'project' }]);
    expect(entity(acme, 'project').jobs).toEqual(['export-project']);
  });

  it('every alert reads only metrics the plan exports', () => {
    const exported = new Set(acme.metrics.map((m) => m.name));
    for (const alert of acme.alerts) for (const m of alert.metrics) expect(exported.has(m), `${alert.name} reads ${m}`).toBe(true);
  });
});
