import { describe, expect, it } from 'vitest';
import { merge2, merge3 } from '../../generators/regen/merge.js';
import { unifiedDiff } from '../../generators/regen/diff.js';
import { compareVersions } from '../../generators/regen/versions.js';
import { decodeSnapshot, encodeSnapshot } from '../../generators/regen/snapshot.js';
import { parseAccessFlag, parseFieldFlag } from '../../generators/regen/spec-change.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('merge3', () => {
  const base = lines('a', 'b', 'c', 'd', 'e', 'f', 'g');
  it('takes the generator change when the user did not touch the file', () => {
    expect(merge3(base, base, lines('a', 'B', 'c', 'd', 'e', 'f', 'g'))).toEqual({ text: lines('a', 'B', 'c', 'd', 'e', 'f', 'g'), conflicts: 0 });
  });
  it('merges non-overlapping changes', () => {
    const ours = lines('a', 'b2', 'c', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'c', 'd', 'e', 'F', 'g', 'h');
    expect(merge3(ours, base, theirs)).toEqual({ text: lines('a', 'b2', 'c', 'd', 'e', 'F', 'g', 'h'), conflicts: 0 });
  });
  it('treats the same change on both sides as no conflict', () => {
    const both = lines('a', 'X', 'c', 'd', 'e', 'f', 'g');
    expect(merge3(both, base, both)).toEqual({ text: both, conflicts: 0 });
  });
  it('writes labelled git conflict markers for overlapping changes', () => {
    const ours = lines('a', 'b', 'mine', 'd', 'e', 'f', 'g');
    const theirs = lines('a', 'b', 'generated', 'd', 'e', 'f', 'g');
    expect(merge3(ours, base, theirs)).toEqual({
      text: lines('a', 'b', '<<<<<<< yours', 'mine', '=======', 'generated', '>>>>>>> generated', 'd', 'e', 'f', 'g'),
      conflicts: 1,
    });
  });
  it('keeps CRLF line endings of the user file', () => {
    const ours = base.replace(/\n/g, '\r\n').replace('b\r\n', 'b2\r\n');
    const result = merge3(ours, base, lines('a', 'b', 'c', 'd', 'e', 'F', 'g'));
    expect(result.text).toBe(lines('a', 'b2', 'c', 'd', 'e', 'F', 'g').replace(/\n/g, '\r\n'));
  });
  it('merge2 shows every difference as a conflict and takes common lines once', () => {
    expect(merge2(lines('a', 'x', 'c'), lines('a', 'y', 'c'))).toEqual({ text: lines('a', '<<<<<<< yours', 'x', '=======', 'y', '>>>>>>> generated', 'c'), conflicts: 1 });
  });
});

describe('unifiedDiff', () => {
  it('prints hunks with context', () => {
    const diff = unifiedDiff('f.txt', lines('1', '2', '3', '4', '5', '6', '7', '8', '9'), lines('1', '2', '3', '4', 'five', '6', '7', '8', '9'));
    expect(diff).toBe(['diff --backend-arch a/f.txt b/f.txt', '--- a/f.txt', '+++ b/f.txt', '@@ -2,7 +2,7 @@', ' 2', ' 3', ' 4', '-5', '+five', ' 6', ' 7', ' 8', ''].join('\n'));
  });
  it('shows a created file against /dev/null', () => {
    expect(unifiedDiff('n.txt', undefined, lines('x'))).toContain('--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+x\n');
  });
});

describe('small parts', () => {
  it('orders generator versions (a downgrade is detected)', () => {
    expect(compareVersions('0.2.0', '0.1.9')).toBe(1);
    expect(compareVersions('1.0.0-beta.2', '1.0.0')).toBe(-1);
    expect(compareVersions('0.1.0', '0.1.0')).toBe(0);
  });
  it('round-trips the base snapshot deterministically', () => {
    const snap = { generatorVersion: '0.1.0', spec: { entities: { a: { softDelete: false, appendOnly: false, unique: [], fields: { n: { type: 'string' as const, optional: false, unique: false } }, access: [], permissions: { read: ['viewer' as const], write: ['editor' as const], delete: ['admin' as const] }, cacheTtl: 60 } }, jobs: {} }, migrations: [{ fileName: '0001_initial.sql', title: 'Initial' }], files: new Map([['b.ts', 'x'], ['a.ts', 'y']]), raw: { 'a.ts': 'h' } };
    const text = encodeSnapshot(snap);
    expect(encodeSnapshot(snap)).toBe(text);
    expect(decodeSnapshot(text)).toEqual(snap);
    expect(decodeSnapshot('garbage')).toBeUndefined();
  });
  it('parses --field and --access flags, naming the flag in errors', () => {
    expect(parseFieldFlag('customer_id:uuid:ref=customer:optional')).toEqual(['customer_id', { type: 'uuid', references: 'customer', optional: true }]);
    expect(parseAccessFlag('customer_id,status:created_at-desc')).toEqual({ where: ['customer_id', 'status'], order: 'created_at desc' });
    expect(() => parseFieldFlag('amount:money')).toThrow(/--field "amount:money": unknown type "money"/);
  });
});
