/**
 * The pipeline, in one direction: plan → render templates into the in-memory tree → prettier on the
 * tree → the manifest, as a list of plain steps (steps.ts). Nothing here touches the disk; the command
 * layer commits the returned tree and runs the post-tasks.
 */
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import type { Answers, Manifest } from '../core/manifest.js';
import { Tree } from '../core/tree.js';
import { GENERATOR_VERSION } from '../core/version.js';
import { planInputFrom } from '../plan/input.js';
import { planProject } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import type { Spec } from '../domain/schema.js';
import { renderBlueprint } from '../render/templates.js';
import { formatTree } from './format.js';
import { rawHashes } from '../regen/snapshot.js';
import { writeRecord } from './record.js';
import { resolveBlueprint } from '../blueprints/registry.js';
import { silentProgress, type Progress } from '../cli/progress.js';
import { runSteps, type Step } from './steps.js';

/** What the render step needs: the derived plan and the blueprint whose templates print it. */
export interface RenderContext {
  plan: Plan;
  blueprint: ResolvedBlueprint;
  /** Filled by the render step: files copied from templates that are stored formatted already. */
  preformatted?: Set<string>;
}

/** Renders the blueprint's templates for the plan into the tree. Shared by `new`, `add`, `update` and the base re-render. */
export const renderStep: Step<RenderContext> = async (tree, ctx) => {
  const { files, preformatted } = await renderBlueprint(ctx.blueprint, ctx.plan);
  for (const [file, content] of files) tree.write(file, content);
  for (const file of preformatted) ctx.preformatted?.add(file);
};

export interface GenerateInput {
  targetDir: string;
  answers: Answers;
  /** The resolved blueprint; default: answers.blueprint resolved by the registry (a built-in id). */
  blueprint?: ResolvedBlueprint;
  spec: Spec;
  /** Reports each step (render, format) as it runs; silent when omitted. */
  progress?: Progress;
}

export interface Generated {
  plan: Plan;
  tree: Tree;
  manifest: Manifest;
}

interface GenerateContext extends RenderContext {
  input: GenerateInput;
  progress: Progress;
  preformatted: Set<string>;
  /** sha256 of the template output before prettier (set by the format step, for the snapshot). */
  raw?: Record<string, string>;
  manifest?: Manifest;
}

const renderProject: Step<GenerateContext> = (tree, ctx) =>
  ctx.progress.task(`Render the ${ctx.plan.blueprint.id} blueprint (${count(ctx.plan.entities.length, 'entity', 'entities')}, ${count(ctx.plan.jobs.length, 'job', 'jobs')})`, () => renderStep(tree, ctx));

const formatProject: Step<GenerateContext> = async (tree, ctx) => {
  ctx.raw = rawHashes(tree.writtenPaths().map((p) => [p, tree.read(p)!]));
  const toFormat = tree.writtenPaths().filter((p) => !ctx.preformatted.has(p));
  await ctx.progress.task(`Format ${toFormat.length} rendered files with prettier`, () => formatTree(tree, toFormat));
};

const recordProject: Step<GenerateContext> = async (tree, ctx) => {
  const { answers, spec } = ctx.input;
  ctx.manifest = writeRecord(tree, {
    answers,
    spec,
    blueprint: ctx.blueprint,
    plan: ctx.plan,
    files: new Map(tree.writtenPaths().map((p) => [p, tree.read(p)!])),
    raw: ctx.raw!,
  });
};

/** `new`'s steps, in order. */
export const PROJECT_STEPS: readonly Step<GenerateContext>[] = [renderProject, formatProject, recordProject];

export async function generateProject(input: GenerateInput): Promise<Generated> {
  const { answers, spec } = input;
  const blueprint = input.blueprint ?? (await resolveBlueprint(answers.blueprint, { from: input.targetDir, what: 'answers field "blueprint"' }));
  const plan = planProject(planInputFrom(answers, spec, GENERATOR_VERSION), blueprint);
  const tree = new Tree(input.targetDir);
  const ctx: GenerateContext = { input, plan, blueprint, progress: input.progress ?? silentProgress, preformatted: new Set() };
  await runSteps(tree, ctx, PROJECT_STEPS);
  return { plan, tree, manifest: ctx.manifest! };
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
