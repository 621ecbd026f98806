/**
 * Parse a YAML or JSON input file keeping source positions, so that every validation issue can name
 * the file, the path inside it and the line. JSON is parsed by the YAML parser too (it is a subset),
 * which also rejects duplicate keys instead of silently keeping the last one.
 */
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode, isPair, isScalar, isSeq, visit, type Alias, type Document, type Node, type Scalar } from 'yaml';
import type { z } from 'zod';
import { InvalidInputError, UserError, type InputIssue } from '../core/errors.js';

export type PathSegment = string | number | symbol;

export interface LocatedDocument {
  file: string;
  value: unknown;
  locate(path: readonly PathSegment[]): { line: number; column: number } | undefined;
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/**
 * Bounds on an input file, so that no input can crash the parser, exhaust memory or take minutes:
 * a spec of a hundred entities is a few hundred KB; these leave room for that and stop attacks.
 */
export const INPUT_LIMITS = {
  /** Largest input file accepted (documented in README: "Limits"). */
  maxBytes: 2 * 1024 * 1024,
  /** Deepest nesting of mappings/sequences (a spec needs 6). */
  maxDepth: 64,
  /** YAML alias expansions (alias uses × nodes under the anchor), against "billion laughs" documents. */
  maxAliasExpansion: 100_000,
} as const;

function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Problems found before parsing: size, line endings and nesting depth (each would crash or mislead the parser). */
function preParseIssues(text: string, file: string): InputIssue[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > INPUT_LIMITS.maxBytes)
    return [{ file, path: '', message: `the file is ${bytes} bytes; the maximum is ${INPUT_LIMITS.maxBytes} bytes (2 MiB)` }];
  const loneCr = /\r(?!\n)/.exec(text);
  if (loneCr)
    return [
      {
        file,
        path: '',
        ...lineColumnAt(text, loneCr.index),
        message: 'a line ends with a lone carriage return (CR, old Mac line endings); save the file with LF or CRLF line endings',
      },
    ];
  // Flow collections ([ { ) nest by brackets; block collections by indentation. Either way, a depth far
  // beyond any spec is refused here, before the parser recurses into it. Brackets inside quotes or
  // comments may be over-counted, which only matters for absurd inputs.
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > INPUT_LIMITS.maxDepth)
        return [{ file, path: '', ...lineColumnAt(text, i), message: `nesting deeper than ${INPUT_LIMITS.maxDepth} levels` }];
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return [];
}

/** Deepest nesting of the parsed document, and where it first goes past the limit (iterative: no recursion). */
function tooDeep(doc: Document): Node | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= INPUT_LIMITS.maxDepth) return node;
    for (const item of node.items) stack.push({ node: isPair(item) ? item.value : item, depth: depth + 1 });
  }
  return undefined;
}

/** Keys every JavaScript object already has: as data they are dropped (`__proto__`) or misread (`constructor`). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Duplicate and forbidden keys in any mapping (a Set per mapping: linear, where the parser's own check is quadratic). */
function duplicateKeys(doc: Document): Scalar[] {
  const found: Scalar[] = [];
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const name = String(pair.key.value);
        if (seen.has(name) || FORBIDDEN_KEYS.has(name)) found.push(pair.key);
        seen.add(name);
      }
    },
  });
  return found;
}

/** Aliases whose anchor is not defined before them. */
function unresolvedAliases(doc: Document): Alias[] {
  const found: Alias[] = [];
  visit(doc, {
    Alias(_key, alias) {
      if (!alias.resolve(doc)) found.push(alias);
    },
  });
  return found;
}

export function parseLocated(text: string, file: string, what: string): LocatedDocument {
  const early = preParseIssues(text, file);
  if (early.length > 0) throw new InvalidInputError(what, early);
  const lineCounter = new LineCounter();
  const at = (node: Node | undefined, message: string): InputIssue => {
    const pos = node?.range ? lineCounter.linePos(node.range[0]) : undefined;
    return { file, path: '', ...(pos ? { line: pos.line, column: pos.col } : {}), message };
  };
  let doc: Document;
  let value: unknown;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
    if (doc.errors.length > 0) {
      throw new InvalidInputError(
        what,
        doc.errors.map((e) => {
          const pos = lineCounter.linePos(e.pos[0]);
          return { file, path: '', line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.message };
        }),
      );
    }
    const deep = tooDeep(doc);
    if (deep) throw new InvalidInputError(what, [at(deep, `nesting deeper than ${INPUT_LIMITS.maxDepth} levels`)]);
    const structural = [
      ...duplicateKeys(doc).map((key) => {
        const name = String(key.value);
        return at(key, FORBIDDEN_KEYS.has(name) ? `"${name}" cannot be used as a key or name: it is a property of every JavaScript object; choose another name` : `Map keys must be unique: "${name}" is declared twice`);
      }),
      ...unresolvedAliases(doc).map((alias) => at(alias, `unknown alias *${alias.source}: no anchor &${alias.source} is defined before it`)),
    ];
    if (structural.length > 0) throw new InvalidInputError(what, structural);
    value = doc.toJS({ maxAliasCount: INPUT_LIMITS.maxAliasExpansion });
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    // The parser's own limits (alias expansion, recursion) are limits of the input, not bugs.
    if (err instanceof ReferenceError && /alias/i.test(err.message))
      throw new InvalidInputError(what, [{ file, path: '', message: `aliases expand to more than ${INPUT_LIMITS.maxAliasExpansion} nodes; write the repeated parts out or use fewer aliases` }]);
    if (err instanceof RangeError) throw new InvalidInputError(what, [{ file, path: '', message: 'the document is nested too deeply to parse' }]);
    throw err;
  }
  return {
    file,
    value,
    locate(path) {
      // Walk up to the deepest node that exists (a missing key is reported where its parent is).
      // Point at the key of a mapping entry (the line a reader looks for), or at a sequence item.
      for (let n = path.length; n >= 0; n--) {
        const keyPath = path.slice(0, n);
        const parent = n === 0 ? undefined : doc.getIn(keyPath.slice(0, -1), true);
        const last = keyPath[keyPath.length - 1];
        let node: unknown;
        if (isMap(parent)) node = parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === String(last))?.key;
        else if (isSeq(parent) && typeof last === 'number') node = parent.items[last];
        else node = n === 0 ? doc.contents : undefined;
        if (isNode(node) && node.range) {
          const pos = lineCounter.linePos(node.range[0]);
          return { line: pos.line, column: pos.col };
        }
      }
      return undefined;
    },
  };
}

/** @param display how the file is named in messages (defaults to the path as given). */
export async function readLocated(file: string, what: string, display = file): Promise<LocatedDocument> {
  let text: string;
  try {
    // Refuse an oversized file before reading it into memory.
    const { size } = await stat(file);
    if (size > INPUT_LIMITS.maxBytes)
      throw new InvalidInputError(what, [{ file: display, path: '', message: `the file is ${size} bytes; the maximum is ${INPUT_LIMITS.maxBytes} bytes (2 MiB)` }]);
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`Cannot read ${what} ${display}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(code ?? err)}`);
  }
  return parseLocated(text, display, what);
}

export function issueAt(doc: LocatedDocument, path: readonly PathSegment[], message: string): InputIssue {
  return { file: doc.file, path: formatPath(path), message, ...doc.locate(path) };
}

/** Validate a parsed document against a zod schema; every issue carries file, path and line. */
export function parseWith<S extends z.ZodType>(schema: S, doc: LocatedDocument, what: string): z.output<S> {
  const result = schema.safeParse(doc.value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    let path: PathSegment[] = [...issue.path];
    let message = issue.message;
    if (issue.code === 'invalid_key') {
      // A record key (entity, field or job name) that is not a valid name: say why, not just "invalid key".
      message = `invalid name: ${issue.issues.map((i) => i.message).join('; ')}`;
    } else if (issue.code === 'unrecognized_keys') {
      // Point at the first unknown key itself, not at its parent object.
      path = [...path, issue.keys[0] ?? ''];
      message = unknownKeysMessage(issue.keys);
    }
    return issueAt(doc, path, message);
  });
  throw new InvalidInputError(what, issues);
}

/** "unknown key(s) …", naming at most five (an input with 50,000 unknown keys gets a short message). */
export function unknownKeysMessage(keys: readonly string[]): string {
  const named = keys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ');
  return `unknown key${keys.length > 1 ? 's' : ''} ${named}${keys.length > 5 ? ` and ${keys.length - 5} more` : ''}`;
}
