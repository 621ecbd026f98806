/**
 * Rendering for add/update, as node-plop generators on the same plop instance as `new`:
 *   resource | job | index | update:  apply-spec-change → plan-regen → render-blueprint
 * Each renders the WHOLE project for the new spec into a detached in-memory tree (no disk
 * fall-through, so the output is exactly what the generator produces), which the merge then compares
 * with the base and the user's files.
 */
import path from 'node:path';
import type { NodePlopAPI } from 'node-plop';
import type { Manifest } from '../core/manifest.js';
import { Tree } from '../core/tree.js';
import { UserError } from '../core/errors.js';
import { GENERATOR_VERSION } from '../core/version.js';
import { formatTree } from '../pipeline/format.js';
import { getPlop, runGenerator } from '../pipeline/generate.js';
import { migrationFileName } from '../plan/migrations.js';
import { planProject } from '../plan/plan.js';
import type { MigrationPlan, Plan } from '../plan/types.js';
import type { Spec } from '../domain/schema.js';
import { diffSchema, type SchemaChange } from './schema-diff.js';
import { rawHashes } from './snapshot.js';
import { validateChangedSpec, type SpecChange } from './spec-change.js';
import type { Measured } from '../advise/capacity.js';

export const REGEN_GENERATORS = ['resource', 'job', 'index', 'update'] as const;
export type RegenGenerator = (typeof REGEN_GENERATORS)[number];

/** A root that never exists: reads never fall through to a disk. */
const DETACHED_ROOT = path.join(path.parse(process.cwd()).root, '.backend-arch-detached-render-does-not-exist');

export interface RegenContext {
  manifest: Manifest;
  /** Recorded migrations as planned before (file name and title); never rendered again. */
  recorded: MigrationPlan[];
  /** The spec the project was last generated from (schema the recorded migrations built). */
  generatedSpec: Spec;
  change: SpecChange;
  allowDestructive: boolean;
  /** Numbers already used by files in migrations/ on disk (the user may have written some). */
  usedMigrationNumbers: number[];
  tree: Tree;
  /** API throughput the last verify run measured (docs/verification.md): the decision record's capacity uses it. */
  measured?: Measured | undefined;
  /** Formatted output reused from the snapshot for files whose template output did not change. */
  formatCache?: FormatCache | undefined;
  spec?: Spec;
  plan?: Plan;
  schema?: SchemaChange;
  newMigration?: MigrationPlan;
  /** The original error thrown inside an action (node-plop keeps only its message). */
  thrown?: unknown;
}

function planFor(manifest: Manifest, spec: Spec, measured?: Measured): Plan {
  return planProject({
    spec,
    name: manifest.answers.name,
    blueprint: manifest.answers.blueprint,
    packageManager: manifest.answers.packageManager,
    features: manifest.answers.features,
    generatorVersion: GENERATOR_VERSION,
    context: manifest.answers.context,
    measured,
  });
}

/** Recorded migrations stay in the plan by name and title only: their files are never rendered again. */
export function recordedMigration(fileName: string, title: string): MigrationPlan {
  return { fileName, title, up: [], down: [] };
}

function guarded(name: string, action: (ctx: RegenContext) => string | Promise<string>) {
  return async (answers: unknown) => {
    const ctx = answers as RegenContext;
    try {
      return await action(ctx);
    } catch (err) {
      ctx.thrown = err;
      throw err instanceof Error ? err : new Error(`${name}: ${String(err)}`);
    }
  };
}

let registered: Promise<NodePlopAPI> | undefined;

function registerGenerators(): Promise<NodePlopAPI> {
  registered ??= (async () => {
    const plop = await getPlop();
    plop.setActionType(
      'apply-spec-change',
      guarded('apply-spec-change', (ctx) => {
        ctx.spec = validateChangedSpec(ctx.change.apply(ctx.manifest.spec), ctx.change);
        return ctx.change.title;
      }),
    );
    plop.setActionType(
      'plan-regen',
      guarded('plan-regen', (ctx) => {
        const plan = planFor(ctx.manifest, ctx.spec!, ctx.measured);
        const before = planFor(ctx.manifest, ctx.generatedSpec);
        const schema = diffSchema(before.entities, plan.entities);
        if (schema.destructive.length > 0 && !ctx.allowDestructive)
          throw new UserError(
            `This change would alter existing data, so no migration was generated:\n${schema.destructive.map((d) => `  - ${d}`).join('\n')}\nApplied migrations are never edited; a new migration would have to do this to a live database.`,
            { hint: 'Change the spec so the change is additive, or pass --allow-destructive to generate the migration anyway (review it before `npm run migrate`).' },
          );
        const migrations = [...ctx.recorded];
        if (schema.up.length > 0) {
          const used = [...ctx.usedMigrationNumbers, ...ctx.manifest.migrations.map((m) => Number.parseInt(m, 10) || 0)];
          const next = Math.max(0, ...used) + 1;
          ctx.newMigration = {
            fileName: migrationFileName(next, schema.slug),
            title: `${ctx.change.title}: ${schema.summary.slice(0, 3).join('; ')}${schema.summary.length > 3 ? `; and ${schema.summary.length - 3} more` : ''}`,
            up: schema.up,
            down: schema.down,
          };
          migrations.push(ctx.newMigration);
        }
        plan.migrations = migrations;
        ctx.plan = plan;
        ctx.schema = schema;
        return schema.summary.length ? schema.summary.join('; ') : 'no schema change';
      }),
    );
    for (const name of REGEN_GENERATORS) {
      plop.setGenerator(name, {
        description: name === 'update' ? 'Re-render a project for a changed spec or a newer generator' : `Add a ${name} to an existing project`,
        prompts: [],
        actions: [
          { type: 'apply-spec-change', abortOnFail: true },
          { type: 'plan-regen', abortOnFail: true },
          { type: 'render-blueprint', abortOnFail: true },
        ],
      });
    }
    return plop;
  })();
  return registered;
}

async function run(name: string, ctx: { thrown?: unknown; plan?: Plan; tree: Tree }): Promise<void> {
  try {
    await runGenerator(name, ctx as unknown as Parameters<typeof runGenerator>[1]);
  } catch (err) {
    throw ctx.thrown ?? err;
  }
}

export function detachedTree(): Tree {
  return new Tree(DETACHED_ROOT);
}

export interface FormatCache {
  /** path → sha256 of the unformatted template output last time. */
  raw: Record<string, string>;
  /** path → formatted content last time (already verified). */
  formatted: (path: string) => string | undefined;
}

/**
 * Prettier on the tree, except for files whose unformatted output is byte-identical to last time:
 * their formatted content is known (prettier is deterministic for the same version and config).
 * Returns the raw hashes, for the next snapshot.
 */
async function formatWithCache(tree: Tree, cache: FormatCache | undefined): Promise<Record<string, string>> {
  const raw = rawHashes(tree.writtenPaths().map((p) => [p, tree.read(p)!]));
  const usable = cache !== undefined && raw['.prettierrc.json'] === cache.raw['.prettierrc.json'];
  const pending: string[] = [];
  for (const file of tree.writtenPaths()) {
    const known = usable && raw[file] === cache.raw[file] ? cache.formatted(file) : undefined;
    if (known !== undefined) tree.write(file, known);
    else pending.push(file);
  }
  await formatTree(tree, pending);
  return raw;
}

/** Runs one of the add/update generators; returns the context with the plan and the rendered, formatted tree. */
export async function renderChange(
  name: RegenGenerator,
  ctx: Omit<RegenContext, 'tree'>,
): Promise<RegenContext & { plan: Plan; spec: Spec; schema: SchemaChange; raw: Record<string, string> }> {
  await registerGenerators();
  const full: RegenContext = { ...ctx, tree: detachedTree() };
  await run(name, full);
  const raw = await formatWithCache(full.tree, ctx.formatCache);
  return Object.assign(full as RegenContext & { plan: Plan; spec: Spec; schema: SchemaChange }, { raw });
}

/** Re-renders the base: what this generator version produced for the recorded spec and migrations. */
export async function renderBase(manifest: Manifest, generatedSpec: Spec, recorded: MigrationPlan[], cache?: FormatCache): Promise<Map<string, string>> {
  const plan = planFor(manifest, generatedSpec);
  plan.migrations = recorded;
  const tree = detachedTree();
  await run('project', { plan, tree });
  await formatWithCache(tree, cache);
  return new Map(tree.writtenPaths().map((p) => [p, tree.read(p)!]));
}
