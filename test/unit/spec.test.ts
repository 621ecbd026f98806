import { describe, expect, it } from 'vitest';
import { issuesOf } from '../support/spec-issues.js';
import { loadSpecFile, parseSpecText } from '../../generators/domain/load.js';

const base = (entities: string, jobs = '') => `name: t\nentities:\n${entities}${jobs}`;

describe('spec validation', () => {
  it('accepts the built-in example and the shop fixture', async () => {
    const example = await loadSpecFile('blueprints/examples/acme-tasks.yaml');
    expect(Object.keys(example.entities)).toEqual(['team', 'project', 'task']);
    expect(example.entities.project!.softDelete).toBe(true);
    const shop = await loadSpecFile('test/fixtures/specs/shop.yaml');
    expect(Object.keys(shop.entities)).toEqual(['group', 'user', 'order', 'payment']);
  });

  it('names the path, the line and what was expected for a bad field type', () => {
    const text = base(`  order:\n    fields:\n      total: { type: money }\n`);
    const [issue] = issuesOf(text);
    expect(issue).toMatch(/^5:entities\.order\.fields\.total\.type: Invalid option: expected one of "string"\|"text"\|/);
  });

  it('reports every problem at once, with file and line in the message', () => {
    const text = base(`  order:\n    fields:\n      total: { type: money }\n      customer_id: { type: uuid, references: customer }\n`);
    try {
      parseSpecText(text, 'specs/shop.yaml');
      expect.unreachable();
    } catch (err) {
      // Shape errors are reported before meaning errors; the message lists file:line path: problem.
      expect((err as Error).message).toContain('specs/shop.yaml:5:');
      expect((err as Error).message).toContain('entities.order.fields.total.type');
    }
  });

  it('rejects a reference to an unknown entity', () => {
    expect(issuesOf(base(`  order:\n    fields:\n      customer_id: { type: uuid, references: customer }\n`))).toEqual([
      '5:entities.order.fields.customer_id.references: unknown entity "customer"; declared entities: order',
    ]);
  });

  it('rejects an access pattern on an unknown column (an order on a nullable column is fine: NULLS LAST)', () => {
    const text = base(
      `  task:\n    fields:\n      title: { type: string }\n      due: { type: date, optional: true }\n    access:\n      - { where: [titel] }\n      - { order: due asc }\n`,
    );
    expect(issuesOf(text)).toEqual([
      '8:entities.task.access[0].where[0]: unknown column "titel" on task; columns: id, created_at, updated_at, title, due',
    ]);
  });

  it('rejects duplicate keys instead of keeping the last one (YAML and JSON)', () => {
    const yamlIssues = issuesOf(base(`  order:\n    fields:\n      a: { type: string }\n      a: { type: integer }\n`));
    expect(yamlIssues[0]).toMatch(/^6:: Map keys must be unique/);
    const json = '{\n  "entities": {\n    "a": { "fields": { "x": { "type": "string" } } },\n    "a": { "fields": { "y": { "type": "string" } } }\n  }\n}';
    expect(issuesOf(json, 'spec.json')[0]).toMatch(/^4:: Map keys must be unique/);
  });

  it('rejects names unsafe as identifiers or paths', () => {
    expect(issuesOf(base(`  "../etc":\n    fields:\n      a: { type: string }\n`))[0]).toContain('expected a snake_case name');
    expect(issuesOf(base(`  order:\n    fields:\n      "Total Amount": { type: string }\n`))[0]).toContain('entities.order.fields.Total Amount');
  });

  it('rejects redeclared audit columns and route collisions', () => {
    expect(issuesOf(base(`  order:\n    fields:\n      created_at: { type: timestamp }\n`))).toEqual([
      '5:entities.order.fields.created_at: "created_at" is added by the generator to every table; remove this field',
    ]);
    // A blueprint's own table names (audit_log, …) and routes (/health, …) are refused once it is chosen:
    // test/unit/built-in-tables.test.ts and test/unit/blueprint-names.test.ts.
  });

  it('checks enum values, defaults and onDelete', () => {
    const text = base(
      `  order:\n    fields:\n      status: { type: enum, values: [a, b], default: c }\n      kind: { type: enum }\n      parent_id: { type: uuid, references: order, onDelete: set-null }\n`,
    );
    expect(issuesOf(text)).toEqual([
      '5:entities.order.fields.status.default: default "c" is not one of the values: a, b',
      '6:entities.order.fields.kind: an enum field needs "values", e.g. values: [active, archived]',
      '7:entities.order.fields.parent_id.onDelete: onDelete: set-null needs optional: true (the column must accept NULL)',
    ]);
  });

  it('rejects reference cycles and unknown job entities', () => {
    const text = base(
      `  a:\n    fields:\n      b_id: { type: uuid, references: b }\n  b:\n    fields:\n      a_id: { type: uuid, references: a }\n`,
      `jobs:\n  sync: { entity: c }\n`,
    );
    expect(issuesOf(text)).toEqual([
      '10:jobs.sync.entity: unknown entity "c"; declared entities: a, b',
      '3:entities.a: references form a cycle (a → b → a); break it by making one side a plain uuid field',
    ]);
  });

  it('rejects unknown keys, pointing at them', () => {
    expect(issuesOf(base(`  order:\n    softdelete: true\n    fields:\n      a: { type: string }\n`))).toEqual([
      '4:entities.order.softdelete: unknown key "softdelete"',
    ]);
  });

  it('reports a missing file and a YAML syntax error clearly', async () => {
    await expect(loadSpecFile('nope/missing.yaml')).rejects.toThrow('Cannot read spec nope/missing.yaml: no such file');
    expect(issuesOf('entities:\n  a: [unclosed\n')[0]).toMatch(/^\d+:: /);
  });
});
