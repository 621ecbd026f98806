/**
 * One escaper per target context: every value that comes from a spec (descriptions, defaults, names)
 * and reaches generated output is printed through one of these. Templates get them as the EJS local
 * `esc` (`<%- esc.tsComment(job.description) %>`), planners import them; a new blueprint uses the same
 * set, so "free text cannot escape into code" is a property of the set, not of each template.
 *
 * Every escaper is total (any string in, safe text out) and keeps what a reader needs: the words.
 * Comment contexts fold the text onto one line (a newline is how text leaves a `--` or `//` comment)
 * and drop control characters; literal contexts quote by the target language's own rules.
 */
import { quoteIdent } from '../domain/sql-names.js';
import { PRINT_WIDTH } from './layout.js';

/**
 * Control characters (C0 except tab, DEL, C1) and the Unicode line/paragraph separators (line
 * terminators in JavaScript, where they would end a `//` comment).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const LINE_BREAKS = /[\r\n\u2028\u2029\u0085]+/g;

/** Free text on one line: line breaks and runs of whitespace become one space, control characters go. */
export function oneLine(text: string): string {
  return String(text).replace(LINE_BREAKS, ' ').replace(CONTROL, '').replace(/[ \t]+/g, ' ').trim();
}

/** Text after `-- ` in SQL: one line (a line comment ends at the newline, and what follows runs as SQL). */
export function sqlComment(text: string): string {
  return oneLine(text);
}

/** A SQL string literal, quotes included. PostgreSQL text cannot hold NUL, so it is dropped (the spec validator rejects it first). */
export function sqlLiteral(value: string): string {
  return `'${String(value).replace(/\0/g, '').replace(/'/g, "''")}'`;
}

/** A SQL identifier: a safe snake_case name, double-quoted when it is a reserved word; anything else throws. */
export function sqlIdent(name: string): string {
  return quoteIdent(name);
}

/** Text inside a TypeScript `/** … *\/` or `//` comment: one line, and a `*\/` can no longer close the comment. */
export function tsComment(text: string): string {
  return oneLine(text).replace(/\*\//g, '*\\/');
}

/**
 * A TypeScript/JavaScript string literal, quotes included, with the quotes prettier picks for the projects'
 * config (singleQuote): single unless the text has more single quotes than double ones, so the output is
 * already formatted. The escapes are JSON's (JSON strings are valid JS string literals since ES2019), with
 * the quote swapped.
 */
export function tsString(value: string): string {
  const text = String(value);
  const json = JSON.stringify(text);
  if (count(text, "'") > count(text, '"')) return json;
  // Walk JSON's escapes left to right: `\"` becomes `"`, a bare `'` becomes `\'`, every other escape stays.
  return `'${json.slice(1, -1).replace(/\\(u[0-9a-fA-F]{4}|.)|'/g, (m: string, escaped?: string) => (escaped === '"' ? '"' : escaped !== undefined ? m : "\\'"))}'`;
}

function count(text: string, quote: string): number {
  return text.split(quote).length - 1;
}

/**
 * A TypeScript literal for a JSON-like value (string, number, boolean, null, array, plain object), on one
 * line and printed as prettier prints it with the projects' config: strings by tsString, `[a, b]`, `{ k: v }`
 * with keys unquoted when every key is an identifier. A line that ends up too long is broken by prettier.
 */
export function tsLiteral(value: unknown): string {
  if (typeof value === 'string') return tsString(value);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(tsLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const bare = entries.every(([k]) => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k));
    return `{ ${entries.map(([k, v]) => `${bare ? k : tsString(k)}: ${tsLiteral(v)}`).join(', ')} }`;
  }
  throw new Error(`tsLiteral: cannot print a ${typeof value}`);
}

/**
 * A YAML scalar on one line: single-quoted (as prettier prints with singleQuote; nothing is an escape in a
 * single-quoted scalar) when the text is printable and has no single quote, otherwise double-quoted
 * (a JSON string is a valid YAML 1.2 double-quoted scalar).
 */
// What a single-quoted YAML scalar cannot hold (control characters, BOM, non-characters, lone surrogates).
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function yamlString(value: string): string {
  const text = oneLine(value);
  return !text.includes("'") && !UNPRINTABLE.test(text) ? `'${text}'` : JSON.stringify(text);
}

/** A JSON value (a string, number or object), as JSON.stringify prints it. */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * Markdown inline text from a spec (a paragraph or a table cell): one line; every character that could
 * open markup anywhere in a line (HTML, links, emphasis, code spans, table pipes) is backslash-escaped
 * or entity-encoded, and so is a leading character that would start a heading, list or quote. The text
 * renders as written and cannot inject HTML or links.
 */
export function markdown(text: string): string {
  return oneLine(text)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'))
    // A line that would start a heading, a list or a rule: escape its marker (for "1." the dot, as
    // CommonMark only lets a backslash escape punctuation).
    .replace(/^[#+=-]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** Generated (not user) text inside a Markdown table cell or code span there: one line, and a pipe does not end the cell. */
export function markdownCell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}

/**
 * An import declaration laid out as prettier prints it (printWidth 120, the projects' config): on one line
 * when it fits, else one name per line with a trailing comma. Falsy entries are left out, so a template
 * can list `cond && name`.
 */
export function tsImport(names: readonly (string | false | null | undefined | 0)[], from: string): string {
  const list = names.filter((n): n is string => typeof n === 'string' && n.length > 0);
  const line = `import { ${list.join(', ')} } from ${tsString(from)};`;
  return line.length <= PRINT_WIDTH ? line : `import {\n${list.map((n) => `  ${n},\n`).join('')}} from ${tsString(from)};`;
}

/** The set templates receive as the `esc` local. */
export const escapers = { oneLine, sqlComment, sqlLiteral, sqlIdent, tsComment, tsString, tsLiteral, tsImport, yamlString, json, markdown, markdownCell } as const;
export type Escapers = typeof escapers;
