/** The prettier format cache stays bounded: old entries, the least recently used beyond the size cap, crash leftovers and other prettier versions go. */
import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pruneFormatCache } from '../../generators/pipeline/format.js';

const DAY = 24 * 60 * 60 * 1000;

describe('format cache eviction', () => {
  it('evicts by age and by size (least recently used first), and removes other prettier versions', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cba-fmt-cache-'));
    const dir = path.join(root, 'prettier-3.6.2');
    await mkdir(dir);
    await mkdir(path.join(root, 'prettier-3.0.0'));
    await writeFile(path.join(root, 'prettier-3.0.0', 'old'), 'x');
    const now = Date.now();
    // 20 entries of 10 KB, entry i last used i days ago.
    for (let i = 0; i < 20; i++) {
      const file = path.join(dir, `entry-${i}`);
      await writeFile(file, 'x'.repeat(10_240));
      const used = new Date(now - i * DAY);
      await utimes(file, used, used);
    }
    await writeFile(path.join(dir, 'entry-0.123.tmp'), 'half');
    const crashed = new Date(now - 5 * 60_000);
    await utimes(path.join(dir, 'entry-0.123.tmp'), crashed, crashed);

    const result = await pruneFormatCache(dir, { maxBytes: 80 * 1024, maxAgeMs: 15 * DAY, pruneEveryMs: 0 }, now);
    const left = (await readdir(dir)).sort();
    // Size cap 80 KB → kept within 60 KB: the 6 most recently used; the crash leftover goes whatever its age rank.
    expect(left).toEqual(['entry-0', 'entry-1', 'entry-2', 'entry-3', 'entry-4', 'entry-5']);
    expect(result.keptBytes).toBe(6 * 10_240);
    expect(result.removed).toBe(15);
    expect(await readdir(root)).toEqual(['prettier-3.6.2']);
  });

  it('keeps everything when under both bounds', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'cba-fmt-cache-')), 'prettier-3.6.2');
    await mkdir(dir);
    for (let i = 0; i < 3; i++) await writeFile(path.join(dir, `e${i}`), 'abc');
    expect(await pruneFormatCache(dir)).toEqual({ removed: 0, keptBytes: 9 });
  });
});
