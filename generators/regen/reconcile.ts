/**
 * The per-file decision of add/update. For every file the generator produces now or produced last
 * time, compare three versions: what it produced last time (the base, known by its sha256 in the
 * manifest and its content in the snapshot), what is on disk (the user's), what it produces now:
 *
 *   generated now, never before, not on disk         → create
 *   not on disk, but generated before                → kept-deleted (the user deleted it; stays deleted)
 *   on disk = base (untouched)                       → update (or unchanged)
 *   on disk edited, generator output unchanged       → unchanged (the edit stays as it is)
 *   on disk edited, generator output changed         → merged (3-way, clean) or conflict (markers)
 *   on disk, not generated before, generated now     → conflict against the user's file (two-way)
 *   generated before, not now, untouched             → delete
 *   generated before, not now, edited                → kept (now the user's file)
 *   recorded migrations                              → never touched
 * Files the generator never produced are never looked at.
 *
 * The new manifest records, for every generated file, the hash of the GENERATED content (not of a
 * merge result), so the next run has a correct base.
 */
import { sha256, type Manifest } from '../core/manifest.js';
import { merge2, merge3 } from './merge.js';

export const FILE_STATUSES = ['create', 'update', 'merged', 'conflict', 'unchanged', 'kept-deleted', 'delete', 'kept'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export interface FileOutcome {
  path: string;
  status: FileStatus;
  /** Content on disk before (undefined if none). */
  before: string | undefined;
  /** Content after (undefined if the file is absent afterwards). */
  after: string | undefined;
  /** Conflict blocks written into the file. */
  conflicts?: number;
  /** Why, when the status alone does not say it. */
  note?: string;
}

export interface ReconcileInput {
  /** path → new generated content. */
  generated: Map<string, string>;
  /** Paths that are never written (recorded migrations); their recorded hash is kept. */
  frozen: (path: string) => boolean;
  /** The previous manifest's hashes of generated content. */
  previous: Manifest['files'];
  readDisk: (path: string) => string | undefined;
  /** The base content for a path (verified against `previous`), or undefined if it cannot be established. */
  base: (path: string) => Promise<string | undefined>;
}

export interface ReconcileResult {
  outcomes: FileOutcome[];
  files: Manifest['files'];
}

export async function reconcile(input: ReconcileInput): Promise<ReconcileResult> {
  const { generated, previous, readDisk } = input;
  const outcomes: FileOutcome[] = [];
  const files: Manifest['files'] = {};
  const paths = [...new Set([...generated.keys(), ...Object.keys(previous)])].sort((a, b) => a.localeCompare(b));
  for (const file of paths) {
    if (input.frozen(file)) {
      const recorded = previous[file];
      if (recorded) files[file] = recorded;
      continue;
    }
    const next = generated.get(file);
    const prev = previous[file];
    const disk = readDisk(file);
    if (next === undefined) {
      // Generated before, not any more.
      if (disk === undefined) continue;
      if (sha256(disk) === prev!.sha256) outcomes.push({ path: file, status: 'delete', before: disk, after: undefined, note: 'no longer generated' });
      else outcomes.push({ path: file, status: 'kept', before: disk, after: disk, note: 'no longer generated; kept because you edited it (it is yours now)' });
      continue;
    }
    files[file] = { sha256: sha256(next) };
    if (!prev) {
      if (disk === undefined) outcomes.push({ path: file, status: 'create', before: undefined, after: next });
      else if (disk === next) outcomes.push({ path: file, status: 'unchanged', before: disk, after: disk });
      else {
        const merged = merge2(disk, next);
        outcomes.push({ path: file, status: 'conflict', before: disk, after: merged.text, conflicts: merged.conflicts, note: 'you created a file where the generator now writes one' });
      }
      continue;
    }
    if (disk === undefined) {
      outcomes.push({ path: file, status: 'kept-deleted', before: undefined, after: undefined, note: 'you deleted it; not recreated' });
      continue;
    }
    if (disk === next) {
      outcomes.push({ path: file, status: 'unchanged', before: disk, after: disk });
      continue;
    }
    if (sha256(disk) === prev.sha256) {
      outcomes.push({ path: file, status: 'update', before: disk, after: next });
      continue;
    }
    // Edited by the user.
    if (sha256(next) === prev.sha256) {
      outcomes.push({ path: file, status: 'unchanged', before: disk, after: disk, note: 'your edits kept; the generator output did not change' });
      continue;
    }
    const base = await input.base(file);
    const merged = base === undefined ? merge2(disk, next) : merge3(disk, base, next);
    if (merged.conflicts > 0)
      outcomes.push({
        path: file,
        status: 'conflict',
        before: disk,
        after: merged.text,
        conflicts: merged.conflicts,
        ...(base === undefined ? { note: 'the previous generated version is unknown, so every difference is shown' } : {}),
      });
    else if (merged.text === disk) outcomes.push({ path: file, status: 'unchanged', before: disk, after: disk, note: 'your version already has the change' });
    else outcomes.push({ path: file, status: 'merged', before: disk, after: merged.text });
  }
  return { outcomes, files };
}
