import { mkdtemp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitTree } from '../../generators/core/commit.js';
import { Tree } from '../../generators/core/tree.js';

async function listAll(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('in-memory tree', () => {
  it('classifies changes against the disk, and reads fall through to it', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cba-tree-'));
    await writeFile(path.join(root, 'same.txt'), 'same');
    await writeFile(path.join(root, 'old.txt'), 'old');
    const tree = new Tree(root);
    tree.write('same.txt', 'same');
    tree.write('old.txt', 'new');
    tree.write('dir/new.txt', 'fresh');
    expect(tree.read('old.txt')).toBe('new');
    expect(new Tree(root).read('old.txt')).toBe('old');
    expect(tree.changes().map((c) => `${c.type} ${c.path}`)).toEqual(['create dir/new.txt', 'update old.txt', 'unchanged same.txt']);
    expect(() => tree.write('../escape.txt', 'x')).toThrow('path escapes the project');
  });
});

describe('atomic commit', () => {
  it('a new directory appears whole, with nothing left beside it', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'cba-commit-'));
    const tree = new Tree(path.join(parent, 'app'));
    tree.write('a.txt', 'a');
    tree.write('src/b.ts', 'b');
    await commitTree(tree);
    expect(await listAll(parent)).toEqual(['app', 'app/a.txt', 'app/src', 'app/src/b.ts']);
  });

  it('a failure half-way through an existing project restores it exactly', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'cba-commit-'));
    await mkdir(path.join(root, 'src'));
    await writeFile(path.join(root, 'a.txt'), 'original a');
    await writeFile(path.join(root, 'src/b.ts'), 'original b');
    await writeFile(path.join(root, 'mine.txt'), 'user file');
    const before = await listAll(root);
    const tree = new Tree(root);
    tree.write('a.txt', 'changed a');
    tree.write('c.txt', 'new c');
    tree.write('src/b.ts', 'changed b');
    await expect(commitTree(tree, { faultAfter: 2 })).rejects.toThrow('injected fault');
    expect(await listAll(root)).toEqual(before);
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('original a');
    expect(await readFile(path.join(root, 'src/b.ts'), 'utf8')).toBe('original b');
    // Without the fault the same tree lands, and the user's own file is untouched.
    await commitTree(tree);
    expect(await readFile(path.join(root, 'a.txt'), 'utf8')).toBe('changed a');
    expect(await readFile(path.join(root, 'c.txt'), 'utf8')).toBe('new c');
    expect(await readFile(path.join(root, 'mine.txt'), 'utf8')).toBe('user file');
    expect(await listAll(root)).not.toContain('.backend-arch');
  });
});
