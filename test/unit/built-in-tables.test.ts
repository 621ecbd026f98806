/**
 * The tables a blueprint creates itself come from its manifest (`tables`), so a spec entity is refused
 * only when it collides with the chosen blueprint's own tables — and the manifest lists every table its
 * planner actually creates beside the entity tables (checked on the planned migrations, not on a list).
 */
import { describe, expect, it } from 'vitest';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';
import { InvalidInputError } from '../../generators/core/errors.js';
import { answersSchema } from '../../generators/core/manifest.js';
import { GENERATOR_VERSION } from '../../generators/core/version.js';
import { checkSpecForBlueprint, parseSpecText } from '../../generators/domain/load.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { planInputFrom } from '../../generators/plan/input.js';
import { planProject } from '../../generators/plan/plan.js';

const spec = (entity: string) => parseSpecText(`name: t\nentities:\n  ${entity}:\n    fields:\n      a: { type: integer }\n  note:\n    fields:\n      body: { type: string }\n`, 'spec.yaml');

async function plan(blueprintId: string, entity: string) {
  const blueprint = await resolveBlueprint(blueprintId, { from: process.cwd(), what: 'test' });
  return planProject(planInputFrom(answersSchema.parse({ name: 't', blueprint: blueprintId }), spec(entity), GENERATOR_VERSION), blueprint);
}

async function refusal(blueprintId: string, entity: string): Promise<unknown> {
  return plan(blueprintId, entity).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('entity names that are a blueprint\'s own tables', () => {
  it('refuses the chosen blueprint\'s tables, naming the entity and the blueprint', async () => {
    const err = await refusal('monolith-cache', 'audit_log');
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).issues).toEqual([{ file: 'spec', path: 'entities.audit_log', message: '"audit_log" is a table the monolith-cache blueprint creates itself; choose another entity name' }]);
    expect(await refusal('microservices', 'outbox')).toBeInstanceOf(InvalidInputError);
    expect(await refusal('serverless', 'idempotency_keys')).toBeInstanceOf(InvalidInputError);
  });

  it('new: the refusal names the spec file and line once the blueprint is chosen', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cba-tables-'));
    try {
      const file = path.join(dir, 'spec.yaml');
      const text = `name: t\nentities:\n  note:\n    fields:\n      body: { type: string }\n  outbox:\n    fields:\n      a: { type: integer }\n`;
      await writeFile(file, text);
      const microservices = await resolveBlueprint('microservices', { from: process.cwd(), what: 'test' });
      const err = await checkSpecForBlueprint(file, 'spec.yaml', parseSpecText(text, 'spec.yaml'), microservices).catch((e: unknown) => e);
      expect((err as InvalidInputError).issues).toEqual([expect.objectContaining({ file: 'spec.yaml', line: 6, path: 'entities.outbox' })]);
      const monolith = await resolveBlueprint('monolith-cache', { from: process.cwd(), what: 'test' });
      await expect(checkSpecForBlueprint(file, 'spec.yaml', parseSpecText(text, 'spec.yaml'), monolith)).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('accepts a name that only another blueprint uses', async () => {
    expect((await plan('monolith-cache', 'outbox')).entities.map((e) => e.name)).toContain('outbox');
    expect((await plan('monolith-cache', 'idempotency_keys')).entities.map((e) => e.name)).toContain('idempotency_keys');
  });

  it.each(['monolith-cache', 'serverless', 'microservices'])('%s: its manifest lists every non-entity table its migrations create', async (id) => {
    const planned = await plan(id, 'gadget');
    const blueprint = await resolveBlueprint(id, { from: process.cwd(), what: 'test' });
    const entityTables = new Set(planned.entities.map((e) => e.name));
    const created = planned.migrationStreams.flatMap((s) => s.migrations.flatMap((m) => m.up.flatMap((st) => [...st.sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_][a-z0-9_]*)"?/g)].map((x) => x[1]!))));
    // Read models (rm_<entity>) are named after the spec's entities, which the spec checks refuse already.
    const own = [...new Set(created)].filter((t) => !entityTables.has(t) && !t.startsWith('rm_'));
    expect(own.length).toBeGreaterThan(0);
    expect(own.filter((t) => !blueprint.manifest.tables.includes(t))).toEqual([]);
  });
});
