/**
 * The escapers of render/escape.ts, as properties over arbitrary strings (fast-check): whatever the text,
 * the context's own parser (TypeScript's scanner, PostgreSQL's parser, the YAML parser, JSON) sees it as
 * one comment or one literal holding the text, never as code.
 */
import fc from 'fast-check';
import { parse } from 'libpg-query';
import ts from 'typescript';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { escapers as esc, oneLine } from '../../generators/render/escape.js';

// Arbitrary text, biased towards the characters that break out of contexts.
const breakers = ['*/', '/*', '--', '\n', '\r', '\r\n', '\u2028', '\u2029', "'", '"', '`', '${', '\\', '\0', '<', '>', '|', '[', ']', '(', ')', '#', '-', '*', '_', '&', ' ', '\t', '\u0085'];
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...breakers), fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 24 })
  .map((parts) => parts.join(''));
// CI replays fixed seeds (the same commit gives the same result); a developer's run draws new ones.
const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : process.env.CI ? 20261126 : undefined;
const RUNS = { numRuns: 400, ...(SEED !== undefined ? { seed: SEED } : {}) };

/** Kinds of the TypeScript tokens of a source text, comments included. */
function tsTokens(source: string): { kind: ts.SyntaxKind; text: string }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, false, ts.LanguageVariant.Standard, source);
  const out: { kind: ts.SyntaxKind; text: string }[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind !== ts.SyntaxKind.WhitespaceTrivia && kind !== ts.SyntaxKind.NewLineTrivia) out.push({ kind, text: scanner.getTokenText() });
  }
  return out;
}

describe('escapers keep any text inside its context', () => {
  it('tsComment: a JSDoc or line comment stays one comment, followed by the code after it', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const block = tsTokens(`/** ${esc.tsComment(text)} */ const after = 1;`);
        expect(block.map((t) => t.kind).slice(0, 2)).toEqual([ts.SyntaxKind.MultiLineCommentTrivia, ts.SyntaxKind.ConstKeyword]);
        const line = tsTokens(`// ${esc.tsComment(text)}\nconst after = 1;`);
        expect(line.map((t) => t.kind).slice(0, 2)).toEqual([ts.SyntaxKind.SingleLineCommentTrivia, ts.SyntaxKind.ConstKeyword]);
      }),
      RUNS,
    );
  });

  it('tsLiteral: a literal whose value is the JSON value, whatever the strings and keys', () => {
    const value = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('"__proto__"'));
    fc.assert(
      fc.property(fc.oneof(value, fc.array(hostile), fc.dictionary(hostile, hostile)), (v) => {
        expect(new Function(`return ${esc.tsLiteral(v)};`)()).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      RUNS,
    );
  });

  it('tsString and tsLiteral print the quotes prettier picks with singleQuote', () => {
    expect(esc.tsString('plain')).toBe("'plain'");
    expect(esc.tsString('say "hi"')).toBe(`'say "hi"'`);
    expect(esc.tsString("it's")).toBe('"it\'s"');
    expect(esc.tsString(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(esc.tsLiteral({ a: ['x', 1, null], 'b-c': true })).toBe(`{ 'a': ['x', 1, null], 'b-c': true }`);
    expect(esc.tsLiteral([])).toBe('[]');
  });

  it('tsString: one string literal whose value is the text', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const tokens = tsTokens(`const s = ${esc.tsString(text)};`);
        expect(tokens.map((t) => t.kind)).toEqual([ts.SyntaxKind.ConstKeyword, ts.SyntaxKind.Identifier, ts.SyntaxKind.EqualsToken, ts.SyntaxKind.StringLiteral, ts.SyntaxKind.SemicolonToken]);
        expect(new Function(`return ${esc.tsString(text)};`)()).toBe(text);
      }),
      RUNS,
    );
  });

  it('sqlComment and sqlLiteral: PostgreSQL parses one statement; the literal holds the text (NUL dropped)', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const result = (await parse(`-- ${esc.sqlComment(text)}\nSELECT ${esc.sqlLiteral(text)} AS v;`)) as {
          stmts: { stmt: { SelectStmt?: { targetList: { ResTarget: { val: { A_Const: { sval?: { sval: string } } } } }[] } } }[];
        };
        expect(result.stmts).toHaveLength(1);
        const value = result.stmts[0]!.stmt.SelectStmt!.targetList[0]!.ResTarget.val.A_Const.sval?.sval ?? '';
        expect(value).toBe(text.replace(/\0/g, ''));
      }),
      { numRuns: 200, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  });

  it('sqlIdent: a safe name prints (quoted when reserved); anything else throws instead of printing', () => {
    expect(esc.sqlIdent('team')).toBe('team');
    expect(esc.sqlIdent('user')).toBe('"user"');
    fc.assert(
      fc.property(hostile.filter((t) => !/^[a-z][a-z0-9_]{0,39}$/.test(t)), (text) => {
        expect(() => esc.sqlIdent(text)).toThrow(/unsafe identifier/);
      }),
      RUNS,
    );
  });

  it('yamlString: a YAML value that parses back to the text on one line', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(parseYaml(`key: ${esc.yamlString(text)}\nafter: 1\n`)).toEqual({ key: oneLine(text), after: 1 });
      }),
      RUNS,
    );
  });

  it('json: parses back to the value', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(JSON.parse(`{"key": ${esc.json(text)}}`)).toEqual({ key: text });
      }),
      RUNS,
    );
  });

  it('markdown: one line; no raw HTML, link, code span, table pipe or block marker survives', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const out = esc.markdown(text);
        expect(out).not.toMatch(/[\r\n\u2028\u2029]/);
        expect(out).not.toMatch(/[<>]/);
        // Every markup character is preceded by a backslash (an escaped backslash counts as text).
        expect(out.replace(/\\[\\`*_[\]|~#+=.)-]/g, '')).not.toMatch(/[\\`*_[\]|~]/);
        expect(out).not.toMatch(/^([#+=-]|\d+[.)])/);
      }),
      RUNS,
    );
    expect(esc.markdown('# title\n[x](javascript:alert(1)) <script>')).toBe('\\# title \\[x\\](javascript:alert(1)) &lt;script&gt;');
    expect(esc.markdown('0. first')).toBe('0\\. first');
  });
});
