/**
 * `create-backend-arch [dir]` / `backend-arch new [dir]`: answers → generate (in memory) → commit
 * atomically → install → verify.
 */
import path from 'node:path';
import { isMissingOrEmpty, commitTree } from '../core/commit.js';
import { UserError } from '../core/errors.js';
import { resolveAnswers, type NewFlags } from '../cli/answers.js';
import type { Progress } from '../cli/progress.js';
import type { Prompter } from '../cli/prompter.js';
import { generateProject } from '../pipeline/generate.js';
import { postTasksFor } from '../pipeline/post-tasks.js';
import { warmUpFormatter } from '../pipeline/format.js';
import type { FileChange } from '../core/tree.js';
import type { Answers } from '../core/manifest.js';

export interface NewOptions extends NewFlags {
  install: boolean;
  verify: boolean;
  dryRun?: boolean;
  force?: boolean;
}

export interface NewResult {
  dir: string;
  packageManager: Answers['packageManager'];
  dryRun: boolean;
  files: { path: string; status: 'create' | 'overwrite' | 'unchanged' }[];
  installed: boolean;
  verified: boolean;
  /** The blueprint's next steps after cd and install (e.g. configure, migrate, start). */
  nextSteps: string[];
}

export interface CommandContext {
  cwd: string;
  prompter: Prompter | undefined;
  progress: Progress;
  /** Runs the checklist after generation (injected: verify lives in its own module). */
  verify?: (dir: string) => Promise<void>;
}

export async function runNew(dir: string | undefined, options: NewOptions, ctx: CommandContext): Promise<NewResult> {
  // Prettier loads on its own thread while answers are resolved and templates render.
  warmUpFormatter();
  const { answers, spec, blueprint } = await resolveAnswers(dir, options, { prompter: ctx.prompter, cwd: ctx.cwd });
  const targetDir = path.resolve(ctx.cwd, dir ?? answers.name);

  // Refuse a non-empty target before doing any work (and long before writing anything).
  if (!options.dryRun && !options.force && !(await isMissingOrEmpty(targetDir)))
    throw new UserError(`${targetDir} is not empty. Choose another directory, or pass --force to write into it (existing files that the generator also writes are replaced).`);

  const { tree, plan } = await generateProject({ targetDir, answers, blueprint, spec, progress: ctx.progress });
  const files = tree.changes().map((c) => ({ path: c.path, status: statusOf(c) }));

  const nextSteps = blueprint.module.nextSteps?.(plan) ?? [];
  if (options.dryRun) return { dir: targetDir, packageManager: answers.packageManager, dryRun: true, files, installed: false, verified: false, nextSteps };

  await ctx.progress.task(`Write ${files.length} files`, () => commitTree(tree));
  // Post-tasks run after the commit (never in a dry run, which returned above).
  for (const task of postTasksFor(blueprint, plan, targetDir, answers, { install: options.install })) await ctx.progress.task(task.title, () => task.run());
  const installed = options.install;
  let verified = false;
  if (options.verify && ctx.verify) {
    await ctx.verify(targetDir);
    verified = true;
  }
  return { dir: targetDir, packageManager: answers.packageManager, dryRun: false, files, installed, verified, nextSteps };
}

function statusOf(change: FileChange): 'create' | 'overwrite' | 'unchanged' {
  return change.type === 'create' ? 'create' : change.type === 'unchanged' ? 'unchanged' : 'overwrite';
}
