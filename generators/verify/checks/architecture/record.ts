/**
 * docs/architecture.md read as a document, not as our template: sections by heading (any level),
 * markdown tables with their header cells and the line of every row, list items. Checks look for
 * what seed 000's Validation Criteria ask for by meaning (a table whose header names the criteria, a
 * section whose heading mentions scaling, …), so a record written or rearranged by hand is judged
 * on its content.
 */
import type { ProjectContext } from '../../context.js';
import { fail, type CheckOutcome } from '../../types.js';

export const RECORD = 'docs/architecture.md';

export interface Section {
  title: string;
  level: number;
  /** 1-based line of the heading. */
  line: number;
  /** Lines of the section (up to the next heading of the same or a higher level), with their line numbers. */
  body: { text: string; line: number }[];
}

export interface Table {
  header: string[];
  line: number;
  rows: { cells: string[]; line: number }[];
}

export interface Record {
  text: string;
  sections: Section[];
  tables: Table[];
}

const cellsOf = (line: string) =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());

export function parseRecord(text: string): Record {
  const lines = text.split('\n');
  const headings: { title: string; level: number; index: number }[] = [];
  let fenced = false;
  lines.forEach((l, index) => {
    if (/^\s*(```|~~~)/.test(l)) fenced = !fenced;
    const m = !fenced && /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(l);
    if (m) headings.push({ title: m[2]!, level: m[1]!.length, index });
  });
  const sections = headings.map((h, i) => {
    const end = headings.slice(i + 1).find((n) => n.level <= h.level)?.index ?? lines.length;
    return { title: h.title, level: h.level, line: h.index + 1, body: lines.slice(h.index + 1, end).map((t, k) => ({ text: t, line: h.index + 2 + k })) };
  });
  const tables: Table[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    if (!/^\s*\|.*\|\s*$/.test(lines[i]!) || !/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(lines[i + 1]!)) continue;
    const table: Table = { header: cellsOf(lines[i]!), line: i + 1, rows: [] };
    let j = i + 2;
    for (; j < lines.length && /^\s*\|.*\|\s*$/.test(lines[j]!); j++) table.rows.push({ cells: cellsOf(lines[j]!), line: j + 1 });
    tables.push(table);
    i = j - 1;
  }
  return { text, sections, tables };
}

/** The record, parsed once per project; undefined when the file is absent. */
export async function readRecord(project: ProjectContext): Promise<Record | undefined> {
  const text = await project.read(RECORD);
  return text === undefined ? undefined : parseRecord(text);
}

export function missingRecord(): CheckOutcome {
  return fail(`${RECORD} is missing`, [{ text: `${RECORD}: not found` }], `Restore ${RECORD} (\`backend-arch update\` re-renders it from the manifest), or write the decision record there.`);
}

export function section(record: Record, title: RegExp): Section | undefined {
  return record.sections.find((s) => title.test(s.title));
}

/** Sections within `s` (its sub-headings) are part of its body; this gives the list items of the body. */
export function listItems(s: Section): { text: string; line: number; ordered: boolean }[] {
  return s.body.flatMap((l) => {
    const m = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(l.text);
    return m ? [{ text: m[2]!, line: l.line, ordered: /\d/.test(m[1]!) }] : [];
  });
}

/** Tables that start inside a section. */
export function tablesIn(record: Record, s: Section): Table[] {
  const last = s.body.at(-1)?.line ?? s.line;
  return record.tables.filter((t) => t.line > s.line && t.line <= last);
}

/** Inline code spans of a text, e.g. "`a` and `b`" → ["a", "b"]. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}
