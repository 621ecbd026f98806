/**
 * `create-backend-arch [dir]` / `backend-arch new [dir]`: answers → generate (in memory) → commit
 * atomically → post-tasks (install, verify, git init + first commit).
 */
import path from 'node:path';
import { stringify } from 'yaml';
import { isMissingOrEmpty, commitTree } from '../core/commit.js';
import { UserError } from '../core/errors.js';
import { EXAMPLE, resolveAnswers, type NameSource, type NewFlags, type ResolvedAnswers } from '../cli/answers.js';
import type { Progress } from '../cli/progress.js';
import type { Prompter } from '../cli/prompter.js';
import { generateProject } from '../pipeline/generate.js';
import { postTasksFor } from '../pipeline/post-tasks.js';
import { initGitRepository, type GitOutcome } from '../pipeline/git.js';
import type { FileChange } from '../core/tree.js';
import type { Answers } from '../core/manifest.js';
import { GENERATOR_VERSION } from '../core/version.js';

/** The answers of this run, saved in the project so that `--answers` replays them. */
export const ANSWERS_PATH = '.backend-arch/answers.yaml';

export interface NewOptions extends NewFlags {
  install: boolean;
  verify: boolean;
  dryRun?: boolean;
  force?: boolean;
}

export interface NewResult {
  dir: string;
  answers: Answers;
  nameFrom: NameSource;
  /** The spec file used (absolute), or undefined for the built-in example. */
  specFile: string | undefined;
  packageManager: Answers['packageManager'];
  dryRun: boolean;
  files: { path: string; status: 'create' | 'overwrite' | 'unchanged' }[];
  installed: boolean;
  verified: boolean;
  /** What the git post-task did; undefined when it was not requested (--no-git) or in a dry run. */
  git: GitOutcome | undefined;
  /** The blueprint's next steps after cd and install (e.g. configure, migrate, start). */
  nextSteps: string[];
  /** The workshop pack's preset the project started from (with --pack). */
  preset?: string;
}

export interface CommandContext {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  prompter: Prompter | undefined;
  progress: Progress;
  /** Runs the checklist after generation (injected: verify lives in its own module). */
  verify?: (dir: string) => Promise<void>;
  /** Called once the answers are complete, before anything is generated or written (the summary). */
  onAnswers?: (resolved: ResolvedAnswers, targetDir: string) => void;
}

export async function runNew(dir: string | undefined, options: NewOptions, ctx: CommandContext): Promise<NewResult> {
  const env = ctx.env ?? process.env;
  const resolved = await resolveAnswers(dir, options, { prompter: ctx.prompter, cwd: ctx.cwd, env, install: options.install && !options.dryRun });
  const { answers, spec, blueprint } = resolved;
  const targetDir = path.resolve(ctx.cwd, dir ?? answers.name);

  // Refuse a non-empty target before doing any work (and long before writing anything).
  if (!options.dryRun && !options.force && !(await isMissingOrEmpty(targetDir)))
    throw new UserError(`${targetDir} is not empty. Choose another directory, or pass --force to write into it (existing files that the generator also writes are replaced).`);
  ctx.onAnswers?.(resolved, targetDir);

  const { tree, plan } = await generateProject({ targetDir, answers, blueprint, spec, progress: ctx.progress });
  tree.write(ANSWERS_PATH, answersFile(resolved, path.join(targetDir, ANSWERS_PATH)));
  const files = tree.changes().map((c) => ({ path: c.path, status: statusOf(c) }));
  const result: NewResult = { dir: targetDir, answers, nameFrom: resolved.nameFrom, specFile: resolved.specFile, packageManager: answers.packageManager, dryRun: true, files, installed: false, verified: false, git: undefined, nextSteps: blueprint.module.nextSteps?.(plan) ?? [], ...(blueprint.pack?.source.preset ? { preset: blueprint.pack.source.preset } : {}) };

  if (options.dryRun) return result;
  result.dryRun = false;

  await ctx.progress.task(`Write ${files.length} files`, () => commitTree(tree));
  // Post-tasks after the one commit (never in a dry run, which returned above): install, then the blueprint's.
  for (const task of postTasksFor(blueprint, plan, targetDir, answers, { install: options.install, env })) await ctx.progress.task(task.title, () => task.run());
  result.installed = options.install;
  // The checklist writes its report into the project, so the first commit comes after it; a failed
  // check fails `new`, but the repository is still initialised first.
  let verifyError: unknown;
  if (options.verify && ctx.verify) {
    try {
      await ctx.verify(targetDir);
      result.verified = true;
    } catch (err) {
      verifyError = err;
    }
  }
  if (resolved.git) result.git = await ctx.progress.task('Initialise a git repository with a first commit', () => initGitRepository(targetDir, `Initial commit from create-backend-arch ${GENERATOR_VERSION}`, env));
  if (verifyError) throw verifyError;
  return result;
}

/** The answers as an answers file (the spec path relative to the file, as --answers reads it). */
function answersFile(resolved: ResolvedAnswers, file: string): string {
  const { answers, specFile, git } = resolved;
  const spec = specFile ? path.relative(path.dirname(file), specFile).split(path.sep).join('/') : EXAMPLE;
  const source = resolved.blueprint.pack?.source;
  const packRef = source?.kind === 'path' ? path.relative(path.dirname(file), source.ref).split(path.sep).join('/') : source?.ref;
  const pack = source ? { pack: source.kind === 'path' && !packRef!.startsWith('.') ? `./${packRef}` : packRef, ...(source.preset ? { preset: source.preset } : {}) } : {};
  return [
    `# The answers ${answers.name} was generated with (create-backend-arch ${GENERATOR_VERSION}).`,
    '# Replay them without questions: create-backend-arch DIR --answers .backend-arch/answers.yaml',
    '# (`spec` is relative to this file; "example" is the built-in example domain).',
    stringify({ ...answers, spec, git, ...pack }).trimEnd(),
    '',
  ].join('\n');
}

function statusOf(change: FileChange): 'create' | 'overwrite' | 'unchanged' {
  return change.type === 'create' ? 'create' : change.type === 'unchanged' ? 'unchanged' : 'overwrite';
}
