/**
 * Randomized: many seeds of random hand edits across generated files, none touching or adjacent to a
 * line the generator changes, then `add resource` + a job: every edit survives, nothing conflicts, and
 * the result is exactly the generator's new output plus the edits.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { diffIndices } from 'node-diff3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRegen } from '../../generators/regen/run.js';
import { addResourceChange } from '../../generators/regen/spec-change.js';
import { copyProject, generateExample, read, tempDir } from './helpers.js';

const SEEDS = Number(process.env.REGEN_SEEDS ?? 30);
const change = () =>
  addResourceChange('invoice', { fields: ['number:string', 'project_id:uuid:ref=project', 'team_id:uuid:ref=team'], access: ['project_id:created_at-desc'] });

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

let root: string;
let pristine: string;
/** path → [before, after] for every file the generator has both before and after the change. */
const pairs = new Map<string, [string, string]>();

beforeAll(async () => {
  root = tempDir('random');
  pristine = path.join(root, 'pristine');
  await generateExample(pristine);
  const clean = copyProject(pristine, path.join(root, 'clean'));
  const result = await runRegen({ dir: clean, generator: 'resource', change: change() });
  for (const o of result.outcomes) if (o.before !== undefined && o.after !== undefined && !o.path.startsWith('migrations/')) pairs.set(o.path, [o.before, o.after]);
}, 60_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Lines of `before` that are neither changed by the generator nor next to a change. */
function safeLines(before: string, after: string): Set<number> {
  const a = before.split('\n');
  const unsafe = new Set<number>();
  for (const chunk of diffIndices(a, after.split('\n'))) {
    const [start, length] = chunk.buffer1;
    for (let i = start - 1; i <= start + Math.max(length, 1); i++) unsafe.add(i);
  }
  const safe = new Set<number>();
  for (let i = 0; i < a.length - 1; i++) if (!unsafe.has(i)) safe.add(i);
  return safe;
}

describe('random non-overlapping edits survive add resource', () => {
  it(`over ${SEEDS} seeds`, async () => {
    const files = [...pairs.keys()].sort();
    expect(files.filter((f) => pairs.get(f)![0] !== pairs.get(f)![1]).length).toBeGreaterThan(3);
    let merged = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const random = rng(seed * 7919);
      const dir = copyProject(pristine, path.join(root, `seed-${seed}`));
      const expected = new Map<string, string>();
      const chosen = files.filter(() => random() < 0.35);
      for (const file of chosen) {
        const [before, after] = pairs.get(file)!;
        const safe = [...safeLines(before, after)];
        if (safe.length === 0) continue;
        const lines = before.split('\n');
        // Edit some safe lines (append a marker); the same marker in the expected output at that line.
        const picks = new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => safe[Math.floor(random() * safe.length)]!));
        for (const i of picks) lines[i] = `${lines[i]} EDIT-${seed}-${i}`;
        writeFileSync(path.join(dir, file), lines.join('\n'));
        // Expected: the new output with the same lines edited (the generator does not change them).
        const afterLines = after.split('\n');
        const mapping = alignment(before.split('\n'), afterLines);
        for (const i of picks) afterLines[mapping.get(i)!] = `${afterLines[mapping.get(i)!]} EDIT-${seed}-${i}`;
        expected.set(file, afterLines.join('\n'));
      }
      const result = await runRegen({ dir, generator: 'resource', change: change() });
      expect(result.conflicts, `seed ${seed}`).toEqual([]);
      for (const [file, content] of expected) {
        expect(read(dir, file), `seed ${seed}: ${file}`).toBe(content);
        const status = result.outcomes.find((o) => o.path === file)!.status;
        expect(['merged', 'unchanged'], `seed ${seed}: ${file}`).toContain(status);
        if (status === 'merged') merged++;
      }
      rmSync(dir, { recursive: true, force: true });
    }
    // The edits really met generator changes in the same files (3-way merges, not just untouched files).
    expect(merged).toBeGreaterThan(SEEDS);
  }, 300_000);
});

/** before-line index → after-line index for lines outside changed chunks. */
function alignment(a: string[], b: string[]): Map<number, number> {
  const map = new Map<number, number>();
  let i = 0;
  let j = 0;
  for (const chunk of diffIndices(a, b)) {
    while (i < chunk.buffer1[0]) map.set(i++, j++);
    i = chunk.buffer1[0] + chunk.buffer1[1];
    j = chunk.buffer2[0] + chunk.buffer2[1];
  }
  while (i < a.length) map.set(i++, j++);
  return map;
}

