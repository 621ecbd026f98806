/**
 * Post-tasks (Nx's returned callbacks): work that runs after the one commit to disk, never in a dry
 * run. The core contributes install; a blueprint adds its own through its module's postTasks(). To add
 * one to every project, push it in corePostTasks.
 */
import type { PostTask, ResolvedBlueprint } from '../blueprints/contract.js';
import type { Answers } from '../core/manifest.js';
import type { Plan } from '../plan/types.js';
import { installDependencies } from './install.js';

export interface PostTaskOptions {
  install: boolean;
  /** The environment the package manager runs in. */
  env?: NodeJS.ProcessEnv;
}

export function corePostTasks(dir: string, answers: Answers, options: PostTaskOptions): PostTask[] {
  const tasks: PostTask[] = [];
  if (options.install)
    tasks.push({ title: `Install dependencies (${answers.packageManager} install)`, run: () => installDependencies(dir, answers.packageManager, options.env ?? process.env) });
  return tasks;
}

/** Every post-task for a generated project, in run order: the core's, then the blueprint's. */
export function postTasksFor(blueprint: ResolvedBlueprint, plan: Plan, dir: string, answers: Answers, options: PostTaskOptions): PostTask[] {
  return [...corePostTasks(dir, answers, options), ...(blueprint.module.postTasks?.({ plan, dir, answers }) ?? [])];
}
