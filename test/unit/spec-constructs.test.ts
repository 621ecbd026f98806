/**
 * The domain constructs of issue 13, from spec to plan: composite unique constraints, enum values as the
 * domain spells them, orderings on nullable columns, `is [not] null` filters, the plain list and each
 * sort alone served by an index, append-only entities, decimal scale in the API schema.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../generators/core/errors.js';
import { parseSpecText } from '../../generators/domain/load.js';
import { planProject } from '../../generators/plan/plan.js';
import { resolveBlueprint } from '../../generators/blueprints/registry.js';

const monolith = await resolveBlueprint('monolith-cache', { from: process.cwd(), what: 'test' });

function issuesOf(text: string): string[] {
  try {
    parseSpecText(text, 'spec.yaml');
  } catch (err) {
    if (err instanceof InvalidInputError) return err.issues.map((i) => `${i.line ?? '-'}:${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('expected the spec to be rejected');
}

function plan(text: string) {
  const spec = parseSpecText(text, 'spec.yaml');
  return planProject({ spec, name: 't', blueprint: 'monolith-cache', packageManager: 'npm', features: [], generatorVersion: '0.0.0' }, monolith);
}

const RENTAL = `name: rental
entities:
  store:
    softDelete: true
    unique: [[city, name]]
    fields:
      name: { type: string, max: 120 }
      city: { type: string, max: 80 }
  film:
    fields:
      title: { type: string, max: 200 }
      rating: { type: enum, values: [G, PG, PG-13, R, NC-17], default: PG-13 }
      rental_rate: { type: decimal, precision: 4, scale: 2, min: 0 }
  rental:
    fields:
      store_id: { type: uuid, references: store }
      film_id: { type: uuid, references: film }
      due_at: { type: timestamp, optional: true, default: now }
      returned_at: { type: timestamp, optional: true }
    access:
      - { where: [store_id, returned_at is null], order: due_at asc }
      - { where: [returned_at is not null], order: returned_at desc }
  payment:
    appendOnly: true
    fields:
      rental_id: { type: uuid, references: rental }
      amount: { type: decimal, precision: 8, scale: 2 }
`;

describe('domain constructs: spec → plan', () => {
  const p = plan(RENTAL);
  const entity = (name: string) => p.entities.find((e) => e.name === name)!;
  const index = (name: string, pred: (sql: string) => boolean) => entity(name).indexes.map((i) => i.sql).filter(pred);

  it('a composite unique constraint is a unique index, partial on live rows of a soft-deleted table', () => {
    expect(index('store', (s) => s.includes('UNIQUE'))).toEqual(['CREATE UNIQUE INDEX store_city_name_live_key ON store (city, name) WHERE deleted_at IS NULL;']);
    expect(entity('store').uniques).toEqual([['city', 'name']]);
  });

  it('keeps enum values exactly as spelled, quoted in SQL and literal in the API', () => {
    const rating = entity('film').fields.find((c) => c.name === 'rating')!;
    expect(rating.ddl).toContain(`DEFAULT 'PG-13'`);
    expect(rating.ddl).toContain(`CHECK (rating IN ('G', 'PG', 'PG-13', 'R', 'NC-17'))`);
    expect(rating.schema.enum).toContain('NC-17');
  });

  it('orders a nullable column NULLS LAST in the index and the query, partial on the is-null condition', () => {
    const [overdue, returned] = entity('rental').indexes.filter((i) => i.kind === 'access-pattern');
    expect(overdue!.sql).toBe('CREATE INDEX rental_store_id_returned_at_null_due_at_asc_idx ON rental (store_id, due_at ASC NULLS LAST, id ASC) WHERE returned_at IS NULL;');
    expect(overdue!.accessPattern).toMatchObject({ where: ['store_id'], nullChecks: [{ column: 'returned_at', isNull: true }], order: { column: 'due_at', nullable: true } });
    expect(returned!.sql).toBe('CREATE INDEX rental_returned_at_set_returned_at_desc_idx ON rental (returned_at DESC NULLS LAST, id DESC) WHERE returned_at IS NOT NULL;');
    const sort = entity('rental').sorts.find((s) => s.key === 'due_at:asc')!;
    expect(sort).toMatchObject({ nullable: true, orderBySql: 'due_at ASC NULLS LAST, id ASC' });
  });

  it('accepts ?column=null / !null on a column an access pattern checks for NULL', () => {
    const filter = entity('rental').filters.find((f) => f.name === 'returned_at')!;
    expect(filter).toMatchObject({ equality: false, nullCheck: true });
    expect(filter.filterSchema).toEqual({ anyOf: [{ const: 'null' }, { const: '!null' }], type: 'string', maxLength: 5, description: 'null (IS NULL) or !null (IS NOT NULL)' });
  });

  it('serves the plain list and each sort alone with an index, and says so', () => {
    const plain = entity('rental').indexes.filter((i) => i.accessPattern && i.accessPattern.where.length === 0 && !i.accessPattern.nullChecks?.length);
    expect(plain.map((i) => i.sql)).toEqual([
      'CREATE INDEX rental_created_at_desc_idx ON rental (created_at DESC, id DESC);',
      'CREATE INDEX rental_due_at_asc_idx ON rental (due_at ASC NULLS LAST, id ASC);',
      'CREATE INDEX rental_returned_at_desc_idx ON rental (returned_at DESC NULLS LAST, id DESC);',
    ]);
    expect(plain[0]!.serves).toContain('the plain rental list (no filter, default order)');
    expect(entity('rental').sorts.map((s) => s.key)).toEqual(['created_at:desc', 'due_at:asc', 'returned_at:desc']);
  });

  it('makes an append-only entity refuse UPDATE/DELETE/TRUNCATE in its migration', () => {
    expect(entity('payment').appendOnly).toBe(true);
    const up = p.migrations[0]!.up.map((s) => s.sql).join('\n');
    expect(up).toContain('CREATE TRIGGER payment_append_only BEFORE UPDATE OR DELETE ON payment FOR EACH ROW EXECUTE FUNCTION payment_refuse_change();');
    expect(up).toContain('CREATE TRIGGER payment_append_only_truncate BEFORE TRUNCATE ON payment FOR EACH STATEMENT EXECUTE FUNCTION payment_refuse_change();');
    expect(up).toMatch(/RAISE EXCEPTION .* USING ERRCODE = 'restrict_violation'/);
  });

  it('bounds a decimal to its precision and scale in the API schema (more fractional digits → 400)', () => {
    const rate = entity('film').fields.find((c) => c.name === 'rental_rate')!;
    expect(rate.schema).toEqual({ type: 'string', pattern: '^-?[0-9]{1,2}(\\.[0-9]{1,2})?$', maxLength: 6 });
    const pattern = new RegExp(rate.schema.pattern!);
    expect(['1', '12.5', '12.50', '-0.99'].every((v) => pattern.test(v))).toBe(true);
    expect(['1.234', '123.4', '1.'].some((v) => pattern.test(v))).toBe(false);
  });

  it('marks a reference to a soft-deleted entity, so a create checks the parent is live', () => {
    expect(entity('rental').references.find((r) => r.column === 'store_id')!.parentSoftDelete).toBe(true);
    expect(entity('rental').references.find((r) => r.column === 'film_id')!.parentSoftDelete).toBe(false);
  });
});

describe('domain constructs: validation', () => {
  const base = (entity: string) => `name: t\nentities:\n  task:\n${entity}`;

  it('accepts an optional timestamp with default: now as a sort column (no "make the field required" message)', () => {
    expect(() => parseSpecText(base('    fields:\n      due_at: { type: timestamp, optional: true, default: now }\n    access:\n      - { order: due_at asc }\n'), 'spec.yaml')).not.toThrow();
  });

  it('rejects is null on a required column, and on deleted_at', () => {
    expect(issuesOf(base('    softDelete: true\n    fields:\n      title: { type: string }\n    access:\n      - { where: [title is null] }\n      - { where: [deleted_at is not null] }\n'))).toEqual([
      '8:entities.task.access[0].where[0]: "title" is required (NOT NULL) on task, so "title is null" is never true; make the field optional or remove the condition',
      '9:entities.task.access[1].where[0]: "deleted_at" is handled by softDelete: every list already skips deleted rows',
    ]);
  });

  it('rejects a composite unique on unknown, repeated or unbounded columns, and one column alone', () => {
    expect(issuesOf(base('    unique: [[title, titel], [title, title], [title, body], [title]]\n    fields:\n      title: { type: string }\n      body: { type: text }\n'))).toEqual([
      '4:entities.task.unique[3]: a composite unique constraint needs at least two columns (use `unique: true` on a field for one)',
    ]);
    expect(issuesOf(base('    unique: [[title, titel], [title, title], [title, body], [body, title]]\n    fields:\n      title: { type: string }\n      body: { type: text }\n'))).toEqual([
      '4:entities.task.unique[0][1]: unknown column "titel"; columns: id, created_at, updated_at, title, body',
      '4:entities.task.unique[1]: a column appears twice in this unique constraint',
      '4:entities.task.unique[2][1]: "body" is a text field; unbounded values make a poor unique key',
      '4:entities.task.unique[3][0]: "body" is a text field; unbounded values make a poor unique key',
      '4:entities.task.unique[3]: duplicate unique constraint (same columns as an earlier one)',
    ]);
  });

  it('rejects an append-only entity that is soft-deleted or cascades from a parent', () => {
    const text = `name: t\nentities:\n  account:\n    fields:\n      name: { type: string }\n  entry:\n    appendOnly: true\n    softDelete: true\n    fields:\n      account_id: { type: uuid, references: account, onDelete: cascade }\n`;
    expect(issuesOf(text)).toEqual([
      '8:entities.entry.softDelete: an appendOnly entity cannot be soft-deleted (soft delete updates the row); remove one of the two',
      '10:entities.entry.fields.account_id.onDelete: an appendOnly entity\'s rows are never changed or removed, so onDelete: cascade would be refused; use restrict (the default)',
    ]);
  });

  it('rejects an enum value with a space or a quote, naming the rule', () => {
    const [issue] = issuesOf(base(`    fields:\n      s: { type: enum, values: ["in progress"] }\n`));
    expect(issue).toMatch(/entities\.task\.fields\.s\.values\[0\]: expected an enum value of letters, digits, _ \. \+ or -/);
  });
});
