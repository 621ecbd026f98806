/**
 * The git safety check: `add` and `update` rewrite files the user may have edited. Merges are careful,
 * but the user must always have a way back, and with uncommitted changes `git checkout .` would throw
 * their own work away with ours. So a dirty working tree is refused unless --allow-dirty.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { UserError } from '../core/errors.js';

const run = promisify(execFile);

export type GitState = { repo: false } | { repo: true; dirty: string[] };

export async function gitState(dir: string): Promise<GitState> {
  try {
    const inside = await run('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir });
    if (inside.stdout.trim() !== 'true') return { repo: false };
  } catch {
    return { repo: false }; // not a repository, or git is not installed
  }
  const { stdout } = await run('git', ['status', '--porcelain=v1', '--untracked-files=all', '--', '.'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
  return { repo: true, dirty: stdout.split('\n').filter(Boolean) };
}

export async function assertCleanWorkingTree(dir: string, allowDirty: boolean): Promise<GitState> {
  const state = await gitState(dir);
  if (state.repo && state.dirty.length > 0 && !allowDirty) {
    const shown = state.dirty.slice(0, 8).map((l) => `  ${l}`);
    if (state.dirty.length > 8) shown.push(`  … and ${state.dirty.length - 8} more`);
    throw new UserError(
      `The git working tree has uncommitted changes:\n${shown.join('\n')}\nThis command rewrites generated files (merging your edits into them). Commit or stash first, so that \`git diff\` shows exactly what it changed and \`git checkout -- .\` takes you back.`,
      { hint: 'Pass --allow-dirty to run anyway (your uncommitted changes are merged like any other edit, but you lose the clean way back).' },
    );
  }
  return state;
}
