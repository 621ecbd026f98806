/**
 * The one commit point: a tree's changes reach the disk here and nowhere else, atomically.
 *  - New project (target missing or empty): everything is written into a staging directory beside the
 *    target (same filesystem), which is then renamed into place: either the whole project appears, or
 *    nothing does.
 *  - Existing project (--force, add, update): new contents are staged inside the project, the files they
 *    replace are moved to a backup, then the staged files are renamed in. Any failure restores the
 *    backups and removes what was added, so the project is left as it was.
 */
import { mkdir, mkdtemp, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileChange, Tree } from './tree.js';

export async function isMissingOrEmpty(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
}

async function writeAll(base: string, changes: FileChange[]): Promise<void> {
  for (const change of changes) {
    if (change.content === undefined) continue;
    const full = path.join(base, change.path);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, change.content);
  }
}

export interface CommitResult {
  written: FileChange[];
}

export async function commitTree(tree: Tree, options: { faultAfter?: number } = {}): Promise<CommitResult> {
  const changes = tree.changes().filter((c) => c.type !== 'unchanged');
  if (await isMissingOrEmpty(tree.root)) return commitNewDirectory(tree.root, changes);
  return commitIntoExisting(tree.root, changes, options.faultAfter);
}

async function commitNewDirectory(target: string, changes: FileChange[]): Promise<CommitResult> {
  const parent = path.dirname(path.resolve(target));
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(target)}.staging-`));
  try {
    await writeAll(staging, changes);
    // An empty target directory is replaced; rename cannot replace a directory that has entries.
    await rmdir(target).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(staging, target);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  return { written: changes };
}

async function commitIntoExisting(root: string, changes: FileChange[], faultAfter?: number): Promise<CommitResult> {
  const work = path.join(root, '.backend-arch');
  await mkdir(work, { recursive: true });
  const txn = await mkdtemp(path.join(work, 'txn-'));
  const staged = path.join(txn, 'staged');
  const backup = path.join(txn, 'backup');
  const applied: { change: FileChange; hadOriginal: boolean }[] = [];
  try {
    await writeAll(staged, changes);
    let count = 0;
    for (const change of changes) {
      if (faultAfter !== undefined && count++ >= faultAfter) throw new Error('injected fault (test)');
      const target = path.join(root, change.path);
      const hadOriginal = await exists(target);
      if (hadOriginal) {
        await mkdir(path.dirname(path.join(backup, change.path)), { recursive: true });
        await rename(target, path.join(backup, change.path));
      }
      applied.push({ change, hadOriginal });
      if (change.type !== 'delete') {
        await mkdir(path.dirname(target), { recursive: true });
        await rename(path.join(staged, change.path), target);
      }
    }
  } catch (err) {
    // Roll back in reverse order: remove what was added, put originals back.
    for (const { change, hadOriginal } of applied.reverse()) {
      const target = path.join(root, change.path);
      if (change.type !== 'delete') await rm(target, { force: true });
      if (hadOriginal) await rename(path.join(backup, change.path), target);
    }
    await rm(txn, { recursive: true, force: true });
    await removeIfEmpty(work);
    throw err;
  }
  await rm(txn, { recursive: true, force: true });
  await removeIfEmpty(work);
  return { written: changes };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

async function removeIfEmpty(dir: string): Promise<void> {
  if ((await readdir(dir).catch(() => ['x'])).length === 0) await rmdir(dir).catch(() => undefined);
}
