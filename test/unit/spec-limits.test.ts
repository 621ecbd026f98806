/**
 * Input the parser must report (exit 2, located) instead of crashing, and specs that used to be
 * accepted and then failed in tsc, in a migration or at the first insert: all refused up front.
 */
import path from 'node:path';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { issuesOf } from '../support/spec-issues.js';
import { loadSpecFile, parseSpecText } from '../../generators/domain/load.js';
import { INPUT_LIMITS } from '../../generators/domain/located.js';

const field = (decl: string, extra = '') => `name: t\nentities:\n  item:\n    fields:\n      v: ${decl}\n${extra}`;

describe('parser limits are reported, located, never a crash', () => {
  it('deep flow nesting', () => {
    const [issue] = issuesOf(`name: t\nentities: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    expect(issue).toMatch(/^2:: nesting deeper than/);
  });

  it('deep block nesting (beyond what the parser can recurse into, or beyond the depth limit)', () => {
    let text = 'name: t\nentities:\n';
    for (let i = 0; i < 1500; i++) text += `${' '.repeat(i + 2)}k${i}:\n`;
    expect(issuesOf(text)[0]).toMatch(/nested too deeply|nesting deeper than/);
    let shallow = 'name: t\nentities:\n';
    for (let i = 0; i < 80; i++) shallow += `${' '.repeat(i + 2)}k${i}:\n`;
    expect(issuesOf(shallow)[0]).toMatch(new RegExp(`^\\d+:: nesting deeper than ${INPUT_LIMITS.maxDepth} levels`));
  });

  it('a legitimate anchor reused 150 times is accepted', () => {
    let text = 'name: t\nentities:\n  item:\n    fields:\n      name: &f { type: string, max: 40 }\n';
    for (let i = 0; i < 150; i++) text += `      f${i}: *f\n`;
    const spec = parseSpecText(text, 'spec.yaml');
    expect(Object.keys(spec.entities.item!.fields)).toHaveLength(151);
  });

  it('an exponential alias bomb is refused', () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      text += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
    }
    expect(issuesOf(text)[0]).toMatch(/aliases expand to more than/);
  });

  it('an undefined alias names its line', () => {
    expect(issuesOf('name: t\nentities:\n  item:\n    fields:\n      v: *nope\n')).toEqual(['5:: unknown alias *nope: no anchor &nope is defined before it']);
  });

  it('unique keys are checked in linear time: 50,000 unknown keys answer in seconds with a short message', () => {
    let text = 'name: t\nentities:\n  item:\n    fields:\n      v: { type: string }\n';
    for (let i = 0; i < 50_000; i++) text += `k${i}: 1\n`;
    const issues = issuesOf(text);
    expect(issues[0]).toMatch(/unknown keys "k0", "k1", "k2", "k3", "k4" and 49995 more/);
    expect(issues[0]!.length).toBeLessThan(200);
    expect(issuesOf(`${text}k7: 2\n`)[0]).toMatch(/Map keys must be unique: "k7"/);
  });

  it('a file over the maximum size is refused before it is read', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cba-big-'));
    const file = path.join(dir, 'big.yaml');
    await writeFile(file, `name: t\n# ${'x'.repeat(INPUT_LIMITS.maxBytes)}\n`);
    await expect(loadSpecFile(file, 'big.yaml')).rejects.toThrow(/big\.yaml the file is \d+ bytes; the maximum is 2097152 bytes/);
  });

  it('CR-only line endings get a message saying so', () => {
    expect(issuesOf('name: t\rentities:\r  item:\r')[0]).toMatch(/^1:: a line ends with a lone carriage return \(CR/);
    // CRLF is fine
    expect(Object.keys(parseSpecText('name: t\r\nentities:\r\n  item:\r\n    fields:\r\n      v: { type: string }\r\n', 's.yaml').entities)).toEqual(['item']);
  });

  it('__proto__ is refused by name, constructor by a message that says why', () => {
    expect(issuesOf('name: t\nentities:\n  __proto__:\n    fields:\n      v: { type: string }\n  item:\n    fields:\n      v: { type: string }\n')).toEqual([
      '3:: "__proto__" cannot be used as a key or name: it is a property of every JavaScript object; choose another name',
    ]);
    expect(issuesOf('name: t\nentities:\n  constructor:\n    fields:\n      v: { type: string }\n')).toEqual([
      '3:: "constructor" cannot be used as a key or name: it is a property of every JavaScript object; choose another name',
    ]);
    expect(issuesOf(field('{ type: string }', '      owner: { type: uuid, references: constructor }\n'))).toContain(
      '6:entities.item.fields.owner.references: unknown entity "constructor"; declared entities: item',
    );
  });
});

describe('specs that would fail later are refused up front', () => {
  it('defaults outside the field’s own min/max', () => {
    expect(issuesOf(field('{ type: integer, min: 1, max: 10, default: 11 }'))).toEqual(['5:entities.item.fields.v.default: default 11 is above max (10): every insert using it would fail the CHECK']);
    expect(issuesOf(field('{ type: decimal, min: 0, default: -1 }'))[0]).toContain('default -1 is below min (0)');
    expect(issuesOf(field('{ type: string, max: 3, default: abcd }'))[0]).toContain('the default is 4 characters; the field allows at most 3');
    expect(issuesOf(field('{ type: string, min: 3, default: ab }'))[0]).toContain('the field needs at least 3');
    expect(issuesOf(field('{ type: string, default: "" }'))[0]).toContain('the field needs at least 1');
  });

  it('numbers beyond the column type: integer overflow, bigint precision, decimal precision', () => {
    expect(issuesOf(field('{ type: integer, default: 2147483648 }'))[0]).toContain('outside the integer column range');
    expect(issuesOf(field('{ type: integer, max: 3000000000 }'))[0]).toContain('entities.item.fields.v.max: 3000000000 is outside the integer column range');
    expect(issuesOf(field('{ type: bigint, min: -9223372036854775808 }'))[0]).toContain('where a spec number loses precision');
    expect(issuesOf(field('{ type: decimal, precision: 5, scale: 2, default: 1000 }'))[0]).toContain('1000 does not fit numeric(5, 2): at most 3 digits before the decimal point');
    expect(issuesOf(field('{ type: decimal, precision: 5, scale: 2, max: 999.999 }'))[0]).toContain('has 3 decimal places; the field keeps 2');
  });

  it('more columns than PostgreSQL allows', () => {
    let text = 'name: t\nentities:\n  wide:\n    fields:\n';
    for (let i = 0; i < 1598; i++) text += `      f${i}: { type: boolean, optional: true }\n`;
    expect(issuesOf(text)[0]).toContain('1601 columns (with id, created_at, updated_at); PostgreSQL allows at most 1600 per table');
  });

  it('names that collide after case conversion (fields, entities, jobs)', () => {
    expect(issuesOf(field('{ type: string }', '      a_b: { type: string }\n      a__b: { type: string }\n'))[0]).toContain('fields "a__b" and "a_b" become the same name');
    expect(issuesOf('name: t\nentities:\n  a_b:\n    fields:\n      v: { type: string }\n  a__b:\n    fields:\n      v: { type: string }\n')[0]).toContain('"a__b" and "a_b" become the same name');
    const jobs = field('{ type: string }', 'jobs:\n  a-b: { entity: item }\n  ab: { entity: item }\n');
    expect(issuesOf(jobs)[0]).toContain('jobs "ab" and "a-b" become the same name in generated code');
  });

  it('names that would shadow a JavaScript global, whatever the blueprint', () => {
    // What one blueprint's templates import or declare is checked per blueprint: test/unit/blueprint-names.test.ts.
    for (const name of ['map', 'promise', 'date', 'j_s_o_n']) {
      const text = `name: t\nentities:\n  ${name}:\n    fields:\n      v: { type: string }\n`;
      expect(issuesOf(text)[0], name).toMatch(/would generate the identifier \w+, a JavaScript global the generated code uses/);
    }
    // static → Static (TypeBox) depends on the blueprint: accepted here, refused once one that imports it is chosen.
    expect(() => parseSpecText('name: t\nentities:\n  static:\n    fields:\n      v: { type: string }\n', 'spec.yaml')).not.toThrow();
  });

  it('an entity whose plural is another entity', () => {
    const text = 'name: t\nentities:\n  team:\n    fields:\n      v: { type: string }\n  teams:\n    fields:\n      v: { type: string }\n';
    expect(issuesOf(text)[0]).toContain('the plural of "team" is "teams", which is also an entity');
  });

  it('a required self-reference (no first row could ever be inserted)', () => {
    expect(issuesOf(field('{ type: string }', '      parent_id: { type: uuid, references: item }\n'))).toEqual([
      '6:entities.item.fields.parent_id.references: a required reference to its own entity means no first item can ever be created; add optional: true',
    ]);
  });

  it('NUL in any string of the spec', () => {
    expect(issuesOf(field('{ type: text, default: "a\\0b" }'))[0]).toContain('entities.item.fields.v.default: contains a NUL character');
    expect(issuesOf(`name: t\ndescription: "x\\0"\nentities:\n  item:\n    fields:\n      v: { type: string }\n`)[0]).toContain('description: contains a NUL character');
  });
});

