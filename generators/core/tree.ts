/**
 * The in-memory tree generators write into (Nx's FsTree idea). Nothing touches the disk until the
 * command layer commits the tree once, atomically. Reads fall through to the directory on disk, and
 * writing content identical to what is on disk is recorded as "unchanged".
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export type ChangeType = 'create' | 'update' | 'delete' | 'unchanged';

export interface FileChange {
  path: string;
  type: ChangeType;
  /** New content (undefined for deletes). */
  content?: string;
}

type Entry = { content: string } | { deleted: true };

export class Tree {
  private readonly entries = new Map<string, Entry>();

  /** @param root the directory the tree will be committed into (may not exist yet). */
  constructor(readonly root: string) {}

  private normalize(file: string): string {
    const normalized = path.posix.normalize(file.split(path.sep).join('/'));
    if (normalized.startsWith('../') || path.posix.isAbsolute(normalized) || normalized === '..')
      throw new Error(`internal: path escapes the project: ${file}`);
    return normalized;
  }

  private diskPath(file: string): string {
    return path.join(this.root, file);
  }

  write(file: string, content: string): void {
    this.entries.set(this.normalize(file), { content });
  }

  delete(file: string): void {
    this.entries.set(this.normalize(file), { deleted: true });
  }

  read(file: string): string | undefined {
    const key = this.normalize(file);
    const entry = this.entries.get(key);
    if (entry) return 'content' in entry ? entry.content : undefined;
    return this.readFromDisk(key);
  }

  exists(file: string): boolean {
    return this.read(file) !== undefined;
  }

  /** Paths written in this tree (not the ones only on disk). */
  writtenPaths(): string[] {
    return [...this.entries.entries()].filter(([, e]) => 'content' in e).map(([p]) => p).sort();
  }

  private readFromDisk(file: string): string | undefined {
    const full = this.diskPath(file);
    return existsSync(full) ? readFileSync(full, 'utf8') : undefined;
  }

  /** Every recorded change, classified against what is on disk now. Sorted by path. */
  changes(): FileChange[] {
    const out: FileChange[] = [];
    for (const [file, entry] of [...this.entries.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const onDisk = this.readFromDisk(file);
      if ('deleted' in entry) {
        if (onDisk !== undefined) out.push({ path: file, type: 'delete' });
      } else if (onDisk === undefined) out.push({ path: file, type: 'create', content: entry.content });
      else out.push({ path: file, type: onDisk === entry.content ? 'unchanged' : 'update', content: entry.content });
    }
    return out;
  }
}
