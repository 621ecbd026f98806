/**
 * The pipeline, in one direction: plan → render templates into the in-memory tree (a node-plop
 * generator whose custom action renders EJS into the tree) → prettier on the tree → the manifest.
 * Nothing here touches the disk; the command layer commits the returned tree.
 */
import type { NodePlopAPI } from 'node-plop';
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

/** What a plop action receives as "answers": the derived plan, the blueprint and the tree to write into. */
export interface RenderContext {
  plan: Plan;
  blueprint: ResolvedBlueprint;
  tree: Tree;
  /** Filled by render-blueprint: files copied from templates that are stored formatted already. */
  preformatted?: Set<string>;
}

let plopPromise: Promise<NodePlopAPI> | undefined;

/** The plop instance with our action types and generators registered once. */
export function getPlop(): Promise<NodePlopAPI> {
  plopPromise ??= (async () => {
    // Loaded on first use, so commands that never render (--help, verify) start fast.
    const { default: nodePlop } = await import('node-plop');
    const plop = await nodePlop(undefined, { force: false, destBasePath: undefined });
    plop.setActionType('render-blueprint', async (answers) => {
      const context = answers as RenderContext;
      const { files, preformatted } = await renderBlueprint(context.blueprint, context.plan);
      for (const [file, content] of files) context.tree.write(file, content);
      for (const file of preformatted) context.preformatted?.add(file);
      return `rendered ${files.size} files`;
    });
    plop.setGenerator('project', {
      description: 'A whole backend from a blueprint',
      prompts: [],
      actions: [{ type: 'render-blueprint', abortOnFail: true }],
    });
    return plop;
  })();
  return plopPromise;
}

export async function runGenerator(name: string, context: RenderContext): Promise<void> {
  const plop = await getPlop();
  // node-plop records a thrown error as a failure message; keep the original to rethrow it intact.
  let thrown: unknown;
  const generator = plop.getGenerator(name);
  const { failures } = await generator.runActions(context, {
    onFailure: () => undefined,
  }).catch((err: unknown) => {
    thrown = err;
    return { failures: [{ error: String(err) }] };
  });
  if (thrown) throw thrown;
  if (failures.length > 0) throw new Error(`generator "${name}" failed: ${failures.map((f) => f.error).join('; ')}`);
}

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

export async function generateProject(input: GenerateInput): Promise<Generated> {
  const { answers, spec } = input;
  const blueprint = input.blueprint ?? (await resolveBlueprint(answers.blueprint, { from: input.targetDir, what: 'answers field "blueprint"' }));
  const plan = planProject(planInputFrom(answers, spec, GENERATOR_VERSION), blueprint);
  const tree = new Tree(input.targetDir);
  const progress = input.progress ?? silentProgress;
  const preformatted = new Set<string>();
  await progress.task(`Render the ${plan.blueprint.id} blueprint (${count(plan.entities.length, 'entity', 'entities')}, ${count(plan.jobs.length, 'job', 'jobs')})`, () =>
    runGenerator('project', { plan, blueprint, tree, preformatted }),
  );
  const raw = rawHashes(tree.writtenPaths().map((p) => [p, tree.read(p)!]));
  const toFormat = tree.writtenPaths().filter((p) => !preformatted.has(p));
  await progress.task(`Format ${toFormat.length} rendered files with prettier`, () => formatTree(tree, toFormat));
  const manifest = writeRecord(tree, {
    answers,
    spec,
    blueprint,
    plan,
    files: new Map(tree.writtenPaths().map((p) => [p, tree.read(p)!])),
    raw,
  });
  return { plan, tree, manifest };
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
