/**
 * render/layout.ts against prettier, for every name length from 1 to 110 characters: what a template prints
 * through layout is either exactly what prettier prints, or it keeps a line the guard (looksFormatted)
 * refuses, so that file goes to prettier. Either way a certified template's file is written formatted.
 * The shapes are the ones the certified templates print (a query call, an inject call hugging its object,
 * collectPages hugging its array, a TypeBox property, an if statement).
 */
import { describe, expect, it } from 'vitest';
import { formatBatch } from '../../generators/pipeline/prettier-format.js';
import { looksFormatted } from '../../generators/render/formatted-templates.js';
import { layout } from '../../generators/render/layout.js';

const CONFIG = { singleQuote: true, trailingComma: 'all' as const, printWidth: 120 };
const LENGTHS = Array.from({ length: 110 }, (_, i) => i + 1);
const name = (n: number) => 'abcdefghij'.repeat(12).slice(0, n);

const SHAPES: Record<string, (n: string) => string> = {
  'a query call': (n) =>
    `export async function f(db: Db, id: string) {\n  ${layout.args(2, `const { rows } = await db.query<${n}>(`, [`sql\`SELECT \${COLUMNS} FROM ${n.toLowerCase()} WHERE id = \${id}\``], ');')}\n  return rows;\n}\n`,
  'an inject call (hugged object)': (n) =>
    `it('x', async () => {\n  it('y', async () => {\n    ${layout.args(4, 'const res = await app.inject(', [{ open: '{', items: ["method: 'GET'", `url: \`\${PATH}?sort=${n}:desc&limit=1\``, 'headers: bearer(tokens.viewer)'] }], ');')}\n  });\n});\n`,
  'collectPages (hugged array)': (n) =>
    `it('x', async () => {\n  it('y', async () => {\n    ${layout.args(4, 'const result = await collectPages(', ['app', 'PATH', { open: '{', items: [`${n}: String(value)`, "limit: '50'"] }, 'bearer(tokens.viewer)', { open: '[', items: ['created.id'] }], ');')}\n  });\n});\n`,
  'a TypeBox property': (n) => {
    const union = layout.call('Type.Union', [{ open: '[', items: [`Type.Literal('${n}:desc')`, "Type.Literal('created_at:desc')"] }, { open: '{', items: [`description: 'Default: ${n}:desc'`] }]);
    return `export const Q = Type.Object(\n  {\n    ${layout.print(4, `${n}: `, layout.call('Type.Optional', [union]), ',')}\n  },\n  { additionalProperties: false },\n);\n`;
  },
  'a nullable TypeBox property': (n) => {
    const node = layout.call('Type.Union', [{ open: '[', items: [layout.call('Type.Integer', [{ open: '{', items: ["format: 'int32'", 'minimum: 0', `maximum: ${'9'.repeat(Math.min(n.length, 15))}`] }]), 'Type.Null()'] }]);
    return `export const Q = Type.Object(\n  {\n    ${layout.print(4, `${n}: `, node, ',')}\n  },\n  { additionalProperties: false },\n);\n`;
  },
  'a TypeBox property with many sorts': (n) => {
    const sorts = { open: '[' as const, items: Array.from({ length: 1 + (n.length % 7) }, (_, i) => `Type.Literal('${n.slice(0, 1 + ((n.length * (i + 3)) % 40))}:desc')`) };
    const union = layout.call('Type.Union', [sorts, { open: '{', items: [`description: 'Default: ${n}:desc'`] }]);
    return `export const Q = Type.Object(\n  {\n    ${layout.print(4, 'sort: ', layout.call('Type.Optional', [union]), ',')}\n  },\n  { additionalProperties: false },\n);\n`;
  },
  'an if statement': (n) =>
    `function f() {\n  if (x) {\n    ${layout.ifStatement(4, 'if (rowCount === 0)', `problems.push({ path: 'body/${n}', message: 'references a ${n} that does not exist' });`)}\n  }\n}\n`,
};

describe('layout prints what prettier prints, or what the guard sends to prettier', () => {
  for (const [shape, print] of Object.entries(SHAPES)) {
    it(shape, async () => {
      const sources = LENGTHS.map((n) => print(name(n)));
      const formatted = await formatBatch(
        sources.map((source, i) => ({ file: `f${i}.ts`, source })),
        CONFIG,
      );
      const wrong = sources.filter((source, i) => source !== formatted[i]!.source && looksFormatted('f.ts', source, CONFIG.printWidth));
      expect(wrong).toEqual([]);
      // Not vacuous: short names are printed exactly as prettier does on one line, longer ones exactly as
      // prettier breaks them (the longest may overflow even broken: the guard's cases).
      const exact = sources.filter((source, i) => source === formatted[i]!.source);
      const lines = (s: string) => s.split('\n').length;
      expect(exact.filter((s) => lines(s) === lines(sources[0]!)).length).toBeGreaterThan(0);
      expect(exact.filter((s) => lines(s) > lines(sources[0]!)).length).toBeGreaterThan(0);
    });
  }
});
