/** add/update diff the planner's structured constraints (type, NOT NULL, default, UNIQUE, FK, CHECKs), not DDL text. */
import { describe, expect, it } from 'vitest';
import { planDomain } from '../../generators/plan/plan.js';
import { parseSpecText } from '../../generators/domain/load.js';
import { diffSchema } from '../../generators/regen/schema-diff.js';
import type { EntityPlan } from '../../generators/plan/types.js';

const manifest = { manifest: { id: 'x', title: 'X', summary: '', main: 'index.js', available: true, questions: [], features: [], expansions: [], engines: [] } };
const entities = (yaml: string): EntityPlan[] =>
  planDomain({ spec: parseSpecText(yaml, 'spec.yaml'), name: 'x', blueprint: 'x', packageManager: 'npm', generatorVersion: '0.0.0' }, manifest).entities;

const BEFORE = `entities:
  team:
    fields: { name: { type: string, max: 80 } }
  member:
    fields:
      team_id: { type: uuid, references: team }
      role: { type: enum, values: [a, b], default: a }
      score: { type: integer, min: 0 }
`;

describe('schema diff on structured constraints', () => {
  it('a column whose DDL text differs but whose constraints do not is unchanged', () => {
    const before = entities(BEFORE);
    const after = entities(BEFORE);
    const member = after.find((e) => e.name === 'member')!;
    member.columns = member.columns.map((c) => ({ ...c, ddl: c.ddl.replace(/ /g, '  ') }));
    expect(diffSchema(before, after).up).toEqual([]);
  });

  it('a changed CHECK, default, foreign-key action: the constraint statements, classified as not additive', () => {
    const after = BEFORE.replace('min: 0', 'min: 5').replace('default: a', 'default: b').replace('references: team', 'references: team, onDelete: cascade');
    const change = diffSchema(entities(BEFORE), entities(after));
    const sql = change.up.map((s) => s.sql).join('\n');
    expect(sql).toContain('ALTER TABLE member ADD CHECK (score >= 5);');
    expect(sql).toContain("ALTER TABLE member ALTER COLUMN role SET DEFAULT 'b';");
    expect(sql).toContain('ALTER TABLE member ADD FOREIGN KEY (team_id) REFERENCES team (id) ON DELETE CASCADE;');
    expect(change.destructive.length).toBeGreaterThan(0);
  });
});
