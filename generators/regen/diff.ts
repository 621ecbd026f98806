/** Unified diffs (as `git diff` prints them) for --dry-run. */
import { diffIndices } from 'node-diff3';

function toLines(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function range(start: number, length: number): string {
  // Like diff(1): an empty range is shown at the line before it.
  if (length === 0) return `${start},0`;
  return length === 1 ? `${start + 1}` : `${start + 1},${length}`;
}

/**
 * @param before undefined when the file is created
 * @param after undefined when the file is deleted
 */
export function unifiedDiff(file: string, before: string | undefined, after: string | undefined, context = 3): string {
  const a = toLines(before);
  const b = toLines(after);
  const header = [
    `diff --backend-arch a/${file} b/${file}`,
    before === undefined ? '--- /dev/null' : `--- a/${file}`,
    after === undefined ? '+++ /dev/null' : `+++ b/${file}`,
  ];
  const chunks = diffIndices(a, b);
  if (chunks.length === 0) return '';
  const out = [...header];
  let i = 0;
  while (i < chunks.length) {
    // Group chunks whose unchanged gap is small enough to share context.
    let j = i;
    while (j + 1 < chunks.length && chunks[j + 1]!.buffer1[0] - (chunks[j]!.buffer1[0] + chunks[j]!.buffer1[1]) <= 2 * context) j++;
    const first = chunks[i]!;
    const last = chunks[j]!;
    const aStart = Math.max(0, first.buffer1[0] - context);
    const aEnd = Math.min(a.length, last.buffer1[0] + last.buffer1[1] + context);
    const bStart = first.buffer2[0] - (first.buffer1[0] - aStart);
    const bEnd = Math.min(b.length, last.buffer2[0] + last.buffer2[1] + (aEnd - (last.buffer1[0] + last.buffer1[1])));
    out.push(`@@ -${range(aStart, aEnd - aStart)} +${range(bStart, bEnd - bStart)} @@`);
    let pos = aStart;
    for (let k = i; k <= j; k++) {
      const c = chunks[k]!;
      for (; pos < c.buffer1[0]; pos++) out.push(` ${a[pos]}`);
      for (const line of c.buffer1Content) out.push(`-${line}`);
      for (const line of c.buffer2Content) out.push(`+${line}`);
      pos = c.buffer1[0] + c.buffer1[1];
    }
    for (; pos < aEnd; pos++) out.push(` ${a[pos]}`);
    i = j + 1;
  }
  if (before !== undefined && before !== '' && !before.endsWith('\n')) out.push('\\ No newline at end of file (before)');
  if (after !== undefined && after !== '' && !after.endsWith('\n')) out.push('\\ No newline at end of file (after)');
  return `${out.join('\n')}\n`;
}
