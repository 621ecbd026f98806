/**
 * Line-based 3-way merge (diff3, as git does it) and the two-way fallback.
 *  - ours = the file on disk (the user's), base = what the generator produced last time,
 *    theirs = what the generator produces now.
 *  - Non-overlapping changes merge cleanly; changes to the same or adjacent lines are a true conflict
 *    and get git's conflict markers, labelled so the reader knows which side is which:
 *      <<<<<<< yours / ======= / >>>>>>> generated
 *    Editors (VS Code, JetBrains) and `git mergetool` recognise these.
 *  - Both sides making the same change is not a conflict.
 *  - A file with CRLF line endings is merged on LF and written back with CRLF.
 */
import { diff3Merge, diffComm } from 'node-diff3';

export const MARKER_OURS = '<<<<<<< yours';
export const MARKER_SEP = '=======';
export const MARKER_THEIRS = '>>>>>>> generated';

export interface MergeResult {
  text: string;
  /** Number of conflict blocks written into text (0 = clean merge). */
  conflicts: number;
}

function lines(text: string): string[] {
  return text.split('\n');
}

/** The conflict block for one region, with the lines both sides share at its edges taken once. */
function conflictBlock(ours: string[], theirs: string[], out: string[]): void {
  let start = 0;
  while (start < ours.length && start < theirs.length && ours[start] === theirs[start]) start++;
  let end = 0;
  while (
    end < ours.length - start &&
    end < theirs.length - start &&
    ours[ours.length - 1 - end] === theirs[theirs.length - 1 - end]
  )
    end++;
  out.push(...ours.slice(0, start));
  out.push(MARKER_OURS, ...ours.slice(start, ours.length - end), MARKER_SEP, ...theirs.slice(start, theirs.length - end), MARKER_THEIRS);
  out.push(...ours.slice(ours.length - end));
}

/** Conflict blocks end with a newline even when the region is at the end of a file without one. */
function join(out: string[]): string {
  return out.join('\n');
}

function withLineEndings(ours: string, merge: (ours: string) => MergeResult): MergeResult {
  if (!ours.includes('\r\n')) return merge(ours);
  const result = merge(ours.replace(/\r\n/g, '\n'));
  return { ...result, text: result.text.replace(/\r?\n/g, '\r\n') };
}

/** 3-way merge of the user's file (ours) and the new output (theirs) from their common base. */
export function merge3(ours: string, base: string, theirs: string): MergeResult {
  return withLineEndings(ours, (o) => {
    if (o === base) return { text: theirs, conflicts: 0 };
    if (theirs === base || o === theirs) return { text: o, conflicts: 0 };
    const out: string[] = [];
    let conflicts = 0;
    for (const region of diff3Merge(lines(o), lines(base), lines(theirs), { excludeFalseConflicts: true })) {
      if (region.ok) out.push(...region.ok);
      else if (region.conflict) {
        conflicts++;
        conflictBlock(region.conflict.a, region.conflict.b, out);
      }
    }
    return { text: fixTrailing(join(out)), conflicts };
  });
}

/**
 * Without a base (it could not be established), every region where the two files differ is shown as a
 * conflict: nothing is silently taken from either side.
 */
export function merge2(ours: string, theirs: string): MergeResult {
  return withLineEndings(ours, (o) => {
    if (o === theirs) return { text: o, conflicts: 0 };
    const out: string[] = [];
    let conflicts = 0;
    for (const part of diffComm(lines(o), lines(theirs))) {
      if (part.common) out.push(...part.common);
      else {
        conflicts++;
        conflictBlock(part.buffer1 ?? [], part.buffer2 ?? [], out);
      }
    }
    return { text: fixTrailing(join(out)), conflicts };
  });
}

/** A conflict at the very end of a file leaves the closing marker without a newline; add it. */
function fixTrailing(text: string): string {
  return text.endsWith(MARKER_THEIRS) ? `${text}\n` : text;
}

/** True if text still holds an unresolved conflict block of ours. */
export function hasConflictMarkers(text: string): boolean {
  return text.split(/\r?\n/).some((l) => l === MARKER_OURS) && text.split(/\r?\n/).some((l) => l === MARKER_THEIRS);
}
