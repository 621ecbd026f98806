/**
 * Parse a YAML or JSON input file keeping source positions, so that every validation issue can name
 * the file, the path inside it and the line. JSON is parsed by the YAML parser too (it is a subset),
 * which also rejects duplicate keys instead of silently keeping the last one.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
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

export function parseLocated(text: string, file: string, what: string): LocatedDocument {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new InvalidInputError(
      what,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, path: '', line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.message };
      }),
    );
  }
  return {
    file,
    value: doc.toJS(),
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
    text = await readFile(file, 'utf8');
  } catch (err) {
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
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return issueAt(doc, path, message);
  });
  throw new InvalidInputError(what, issues);
}
