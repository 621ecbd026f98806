/**
 * The generator contract (Nx's): a step is a plain typed function that changes the in-memory tree and
 * may return a post-task to run after the one commit to disk. `new`, `add` and `update` are each a list
 * of steps run in order; there is no wrapper layer between a step and the tree.
 */
import type { PostTask } from '../blueprints/contract.js';
import type { Tree } from '../core/tree.js';

export type Step<C> = (tree: Tree, ctx: C) => Promise<PostTask | void>;

/** Runs the steps in order on one tree; a step that throws stops the run with its own error. Returns the post-tasks, in order. */
export async function runSteps<C>(tree: Tree, ctx: C, steps: readonly Step<C>[]): Promise<PostTask[]> {
  const tasks: PostTask[] = [];
  for (const step of steps) {
    const task = await step(tree, ctx);
    if (task) tasks.push(task);
  }
  return tasks;
}
