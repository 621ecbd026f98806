/**
 * The base snapshot: exactly what the generator produced last time, kept in the project
 * (`.backend-arch/base.snapshot`, committed with it) so that `update` can 3-way merge against it.
 *
 * Why a snapshot and not only a re-render: re-rendering from the recorded version and answers
 * reproduces the base only while the generator is the same version. After an upgrade, the old
 * templates are gone; the snapshot still has their output. Every snapshot entry is checked against the
 * manifest's sha256 before it is used as a base, and when the snapshot is missing or damaged and the
 * version matches, the base is re-rendered instead (also checked against the hashes).
 *
 * It also records the spec the project was last generated from (the user may edit the spec in the
 * manifest, and a new migration is the difference between the generated schema and the wanted one)
 * and the titles of the migrations written so far (they are never re-rendered, but listed elsewhere).
 *
 * Format: two comment lines, then gzip'd JSON in base64 lines (a text file: the tree and commit are
 * text-only, and git stores it fine). gzip output is deterministic, so an unchanged base does not
 * change the file.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { specSchema, type Spec } from '../domain/schema.js';

export const SNAPSHOT_PATH = '.backend-arch/base.snapshot';

const HEADER = [
  '# create-backend-arch base snapshot: what the generator wrote last time, before your edits.',
  '# `backend-arch add` and `backend-arch update` 3-way merge against it. Commit it; do not edit it.',
];

const payloadSchema = z.strictObject({
  format: z.literal(1),
  generatorVersion: z.string(),
  spec: specSchema,
  migrations: z.array(z.strictObject({ fileName: z.string(), title: z.string(), stream: z.string().optional() })),
  files: z.record(z.string(), z.string()),
  raw: z.record(z.string(), z.string()),
});

export interface BaseSnapshot {
  generatorVersion: string;
  /** The spec the files were generated from (defaults applied). */
  spec: Spec;
  /** The migrations written so far with their titles (other files, e.g. the README, list them); `stream` absent = the first stream. */
  migrations: { fileName: string; title: string; stream?: string }[];
  /** path → generated content (migration files excluded: they are never re-rendered). */
  files: Map<string, string>;
  /**
   * path → sha256 of the template output before prettier. When a file renders to the same text again
   * (same generator version), its formatted content is taken from `files` instead of running prettier
   * again: prettier dominates the time of an `add`.
   */
  raw: Record<string, string>;
}

export function encodeSnapshot(snapshot: BaseSnapshot): string {
  const files = Object.fromEntries([...snapshot.files.entries()].sort(([a], [b]) => a.localeCompare(b)));
  const json = JSON.stringify({ format: 1, generatorVersion: snapshot.generatorVersion, spec: snapshot.spec, migrations: snapshot.migrations, files, raw: sortedRecord(snapshot.raw, snapshot.files) });
  const b64 = gzipSync(json, { level: 9 }).toString('base64');
  const wrapped = b64.match(/.{1,100}/g) ?? [];
  return `${[...HEADER, ...wrapped].join('\n')}\n`;
}

/** undefined when the text is not a readable snapshot (the caller falls back to re-rendering). */
export function decodeSnapshot(text: string): BaseSnapshot | undefined {
  try {
    const b64 = text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .join('');
    const parsed = payloadSchema.safeParse(JSON.parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8')));
    if (!parsed.success) return undefined;
    return {
      generatorVersion: parsed.data.generatorVersion,
      spec: parsed.data.spec,
      migrations: parsed.data.migrations,
      files: new Map(Object.entries(parsed.data.files)),
      raw: parsed.data.raw,
    };
  } catch {
    return undefined;
  }
}

/** Only for files in the snapshot (a migration renders differently once it is recorded). */
function sortedRecord(record: Record<string, string>, files: Map<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([file]) => files.has(file)).sort(([a], [b]) => a.localeCompare(b)));
}

/** sha256 of every file written into a tree so far (call before formatting). */
export function rawHashes(files: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, content] of files) out[file] = createHash('sha256').update(content).digest('hex');
  return out;
}

/** Generated files that belong in the snapshot: everything but recorded migrations (project-relative paths) and .backend-arch/. */
export function snapshotFiles(generated: Iterable<[string, string]>, migrationPaths: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, content] of generated) {
    if (file.startsWith('.backend-arch/')) continue;
    if (migrationPaths.has(file)) continue;
    out.set(file, content);
  }
  return out;
}
