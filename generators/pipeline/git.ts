/**
 * Post-task after the commit to disk (never in a dry run): `git init` and a first commit of the
 * generated project, so that `update`'s dirty-tree guard and 3-way merge have a base from minute one.
 * Skipped, with the reason, when git is missing or the project sits inside an existing work tree
 * (a monorepo: its own repository owns the files). A missing git identity leaves the repository
 * initialised with everything staged, and says how to commit.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type GitOutcome =
  | { status: 'committed'; commit: string }
  | { status: 'initialised'; reason: string }
  | { status: 'skipped'; reason: string };

export async function initGitRepository(dir: string, message: string, env: NodeJS.ProcessEnv = process.env): Promise<GitOutcome> {
  const git = (...args: string[]) => run('git', args, { cwd: dir, env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  try {
    await git('--version');
  } catch {
    return { status: 'skipped', reason: 'git is not installed' };
  }
  try {
    const { stdout } = await git('rev-parse', '--show-toplevel');
    return { status: 'skipped', reason: `${dir} is inside the git work tree at ${stdout.trim()}` };
  } catch {
    // Not inside a work tree: the expected case.
  }
  await git('init', '--quiet');
  await git('add', '--all');
  try {
    await git('commit', '--quiet', '--no-verify', '--message', message);
  } catch (err) {
    const detail = ((err as { stderr?: string }).stderr ?? String(err)).trim().split('\n').filter(Boolean).pop() ?? '';
    return { status: 'initialised', reason: `the first commit failed (${detail}); set user.name and user.email, then run \`git commit -m "${message}"\`` };
  }
  const { stdout } = await git('rev-parse', '--short', 'HEAD');
  return { status: 'committed', commit: stdout.trim() };
}
