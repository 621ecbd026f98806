/**
 * Rendering for add/update, as plain steps (pipeline/steps.ts) sharing `new`'s render step:
 *   resource | job | index | update:  applySpecChange → planRegen → renderStep
 * Each renders the WHOLE project for the new spec into a detached in-memory tree (no disk
 * fall-through, so the output is exactly what the generator produces), which the merge then compares
 * with the base and the user's files.
 */
import path from 'node:path';
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import type { Manifest } from '../core/manifest.js';
import { Tree } from '../core/tree.js';
import { UserError } from '../core/errors.js';
import { GENERATOR_VERSION } from '../core/version.js';
import { formatTree } from '../pipeline/format.js';
import { renderStep } from '../pipeline/generate.js';
import { runSteps, type Step } from '../pipeline/steps.js';
import { planInputFrom } from '../plan/input.js';
import { migrationFileName } from '../plan/migrations.js';
import { planProject } from '../plan/plan.js';
import type { DerivedTable, MigrationPlan, MigrationStreamPlan, Plan, SqlStatement } from '../plan/types.js';
import type { Spec } from '../domain/schema.js';
import { catchUpTenancy, diffSchema, type SchemaChange, type TenancyGaps } from './schema-diff.js';
import { rawHashes } from './snapshot.js';
import { validateChangedSpec, type SpecChange } from './spec-change.js';
import type { Measured } from '../advise/capacity.js';

export const REGEN_GENERATORS = ['resource', 'job', 'index', 'update'] as const;
export type RegenGenerator = (typeof REGEN_GENERATORS)[number];

/** A root that never exists: reads never fall through to a disk. */
const DETACHED_ROOT = path.join(path.parse(process.cwd()).root, '.backend-arch-detached-render-does-not-exist');

/** Recorded migrations by stream id, as planned before (file name and title); never rendered again. */
export type RecordedMigrations = Record<string, MigrationPlan[]>;

/** A migration this run adds, and its stream. */
export interface NewMigration {
  stream: MigrationStreamPlan;
  migration: MigrationPlan;
  summary: string[];
}

export interface RegenContext {
  manifest: Manifest;
  blueprint: ResolvedBlueprint;
  recorded: RecordedMigrations;
  /** The spec the project was last generated from (schema the recorded migrations built). */
  generatedSpec: Spec;
  change: SpecChange;
  allowDestructive: boolean;
  /** update --existing-tenant: the tenant (a uuid) every existing row gets when the change turns tenancy on. */
  existingTenant?: string | undefined;
  /** Per stream id: the built-in tenant tables the project's migrations left without tenancy (run.ts reads them). */
  tenancyGaps?: Record<string, TenancyGaps> | undefined;
  /** Numbers already used by files in each stream's folder on disk (the user may have written some). */
  usedMigrationNumbers: (dir: string) => number[];
  tree: Tree;
  /** API throughput the last verify run measured (docs/verification.md): the decision record's capacity uses it. */
  measured?: Measured | undefined;
  /** Formatted output reused from the snapshot for files whose template output did not change. */
  formatCache?: FormatCache | undefined;
  spec?: Spec;
  plan?: Plan;
  schema?: SchemaChange;
  newMigrations?: NewMigration[];
}

function planFor(blueprint: ResolvedBlueprint, manifest: Manifest, spec: Spec, measured?: Measured): Plan {
  return planProject(planInputFrom(manifest.answers, spec, GENERATOR_VERSION, measured), blueprint);
}

/**
 * Per migration stream: the recorded migrations, plus one new additive migration numbered in that
 * stream when its tables changed. A stream that has no recorded migration is new (e.g. a new service's
 * database): its initial migration is the new one.
 */
function planStreams(plan: Plan, before: Plan, ctx: RegenContext): { changes: SchemaChange[]; added: NewMigration[] } {
  const changes: SchemaChange[] = [];
  const added: NewMigration[] = [];
  for (const stream of plan.migrationStreams) {
    const recorded = ctx.recorded[stream.id];
    if (recorded === undefined || recorded.length === 0) {
      for (const migration of stream.migrations) added.push({ stream, migration, summary: [`new migration stream ${stream.id} (${stream.dir})`] });
      continue;
    }
    const was = before.migrationStreams.find((s) => s.id === stream.id);
    // Tenancy turned on for a database that has rows (planRegen checked the tenant was named).
    const enabling =
      plan.tenancy && !before.tenancy && ctx.existingTenant
        ? { existingTenant: ctx.existingTenant, columnTables: stream.tenantColumnTables ?? [], rlsTables: stream.tenantTables ?? [] }
        : null;
    const diff = diffSchema(
      before.entities.filter((e) => was?.entities.includes(e.name)),
      plan.entities.filter((e) => stream.entities.includes(e.name)),
      plan.tenancy,
      enabling,
    );
    // Already multi-tenant, but generated before a built-in table held tenant rows: brought up to date.
    const gaps = plan.tenancy && before.tenancy ? ctx.tenancyGaps?.[stream.id] : undefined;
    const caughtUp = gaps ? mergeChanges([catchUpTenancy(plan.tenancy!, gaps, stream.tenantBackfill ?? {}), diff]) : diff;
    const granted = enabling ? withTenantGrants(caughtUp, stream.tenantGrants) : caughtUp;
    const schema = withDerivedTables(granted, stream.derivedTables.filter((t) => !was?.derivedTables.some((w) => w.name === t.name)));
    changes.push(schema);
    stream.migrations = [...recorded];
    if (schema.up.length > 0) {
      const used = [...ctx.usedMigrationNumbers(stream.dir), ...recorded.map((m) => Number.parseInt(m.fileName, 10) || 0)];
      const migration: MigrationPlan = {
        fileName: migrationFileName(Math.max(0, ...used) + 1, schema.slug),
        title: `${ctx.change.title}: ${schema.summary.slice(0, 3).join('; ')}${schema.summary.length > 3 ? `; and ${schema.summary.length - 3} more` : ''}`,
        up: schema.up,
        down: schema.down,
      };
      stream.migrations.push(migration);
      added.push({ stream, migration, summary: schema.summary });
    }
  }
  plan.migrations = plan.migrationStreams[0]?.migrations ?? [];
  return { changes, added };
}

/**
 * Tenancy turned on: the stream's own tenant grants (e.g. the hybrid's outbox privileges and the role
 * owning its cross-tenant job counts) come after the role and the row-level security they rely on, as in
 * an initial migration; their reverse goes first in the down migration.
 */
function withTenantGrants(schema: SchemaChange, grants: { up: SqlStatement[]; down: SqlStatement[] } | undefined): SchemaChange {
  if (!grants?.up.length) return schema;
  return { ...schema, up: [...schema.up, ...grants.up], down: [...grants.down, ...schema.down], summary: [...schema.summary, 'tenant grants on the blueprint\'s own tables'] };
}

/**
 * A change that introduces derived tables (e.g. a new cross-service reference: the consumer's read
 * model) creates them first in the same additive migration: entity tables may rely on them, they on
 * none. One no longer derived is kept (its rows may still be read; dropping it is the user's call).
 */
function withDerivedTables(schema: SchemaChange, added: DerivedTable[]): SchemaChange {
  if (added.length === 0) return schema;
  return {
    ...schema,
    up: [...added.flatMap((t) => t.up), ...schema.up],
    down: [...schema.down, ...[...added].reverse().flatMap((t) => t.down)],
    summary: [...added.map((t) => `new table ${t.name}`), ...schema.summary],
    slug: schema.up.length > 0 ? schema.slug : `add_${added.map((t) => t.name).join('_')}`.slice(0, 60),
  };
}

function mergeChanges(changes: SchemaChange[]): SchemaChange {
  return {
    up: changes.flatMap((c) => c.up),
    down: changes.flatMap((c) => c.down),
    summary: changes.flatMap((c) => c.summary),
    destructive: changes.flatMap((c) => c.destructive),
    slug: changes.find((c) => c.up.length > 0)?.slug ?? changes[0]?.slug ?? 'change',
  };
}

/** Recorded migrations stay in the plan by name and title only: their files are never rendered again. */
export function recordedMigration(fileName: string, title: string): MigrationPlan {
  return { fileName, title, up: [], down: [] };
}

const applySpecChange: Step<RegenContext> = async (_tree, ctx) => {
  ctx.spec = validateChangedSpec(ctx.change.apply(ctx.manifest.spec), ctx.change, ctx.blueprint);
};

const planRegen: Step<RegenContext> = async (_tree, ctx) => {
  const plan = planFor(ctx.blueprint, ctx.manifest, ctx.spec!, ctx.measured);
  const before = planFor(ctx.blueprint, ctx.manifest, ctx.generatedSpec);
  checkTenancyChange(plan, before, ctx.existingTenant);
  const { changes, added } = planStreams(plan, before, ctx);
  const schema = mergeChanges(changes);
  if (schema.destructive.length > 0 && !ctx.allowDestructive)
    throw new UserError(
      `This change would alter existing data, so no migration was generated:\n${schema.destructive.map((d) => `  - ${d}`).join('\n')}\nApplied migrations are never edited; a new migration would have to do this to a live database.`,
      { hint: 'Change the spec so the change is additive, or pass --allow-destructive to generate the migration anyway (review it before applying it).' },
    );
  ctx.newMigrations = added;
  ctx.plan = plan;
  ctx.schema = schema;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Tenancy turned on for an existing project needs the tenant today's rows and accounts belong to
 * (--existing-tenant); turning it off, or renaming the tenant column, is refused (it would take row-level
 * security away from live data): both say what to do. --existing-tenant means nothing otherwise.
 */
function checkTenancyChange(plan: Plan, before: Plan, existingTenant: string | undefined): void {
  if (plan.tenancy && !before.tenancy) {
    const tables = [...(plan.migrationStreams[0]?.tenantColumnTables ?? []), ...plan.entities.filter((e) => e.tenantScoped).map((e) => e.tableName)];
    if (existingTenant === undefined)
      throw new UserError(
        `Turning multi-tenancy on: every existing row and account needs a tenant, so no migration was generated. The migration adds ${plan.tenancy.column} to ${tables.join(', ')}, gives every existing row the tenant you name, makes uniques and list indexes lead with ${plan.tenancy.column}, makes references between tenant-owned tables composite, and turns on row-level security with the role ${plan.tenancy.role}.`,
        { hint: `Run it again with --existing-tenant <uuid>: the id of the tenant that owns today's data (a new one from uuidgen, or your first customer's id). Review the migration before applying it.` },
      );
    if (!UUID.test(existingTenant)) throw new UserError(`--existing-tenant "${existingTenant}": must be a uuid (the tenant that owns today's rows), e.g. 6f1c2a9e-0d4b-4c8a-9e21-3b5d7f9a1c2e`);
    return;
  }
  if (existingTenant !== undefined)
    throw new UserError(`--existing-tenant only applies when the change turns multi-tenancy on (a top-level \`tenancy:\` added to a spec that had none); ${before.tenancy ? 'this project is multi-tenant already' : 'the new spec declares no tenancy'}.`);
  if (before.tenancy && !plan.tenancy)
    throw new UserError(`Turning multi-tenancy off is refused: it would remove row-level security and the ${before.tenancy.column} column from live tables, so no migration was generated.`, {
      hint: `Keep \`tenancy:\` in the spec, or mark single entities \`tenant: false\` only when they are new; undoing tenancy on data that has it is a hand-written migration.`,
    });
  if (before.tenancy && plan.tenancy && before.tenancy.column !== plan.tenancy.column)
    throw new UserError(`Renaming the tenant column (${before.tenancy.column} → ${plan.tenancy.column}) is refused: the policies, keys and indexes of every tenant-owned table name it, so no migration was generated.`, {
      hint: `Keep tenancy: { column: ${before.tenancy.column} } in the spec.`,
    });
}

const renderRegen: Step<RegenContext> = (tree, ctx) => renderStep(tree, { plan: ctx.plan!, blueprint: ctx.blueprint });

/** The steps of add (resource, job, index) and update: the same three, since each re-renders the whole project for the new spec. */
const REGEN_STEPS: readonly Step<RegenContext>[] = [applySpecChange, planRegen, renderRegen];

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

/** Runs add's or update's steps (the same for both: the change says what differs); returns the context with the plan and the rendered, formatted tree. */
export async function renderChange(
  ctx: Omit<RegenContext, 'tree'>,
): Promise<RegenContext & { plan: Plan; spec: Spec; schema: SchemaChange; raw: Record<string, string> }> {
  const full: RegenContext = { ...ctx, tree: detachedTree() };
  await runSteps(full.tree, full, REGEN_STEPS);
  const raw = await formatWithCache(full.tree, ctx.formatCache);
  return Object.assign(full as RegenContext & { plan: Plan; spec: Spec; schema: SchemaChange }, { raw });
}

/** Re-renders the base: what this generator version produced for the recorded spec and migrations. */
export async function renderBase(blueprint: ResolvedBlueprint, manifest: Manifest, generatedSpec: Spec, recorded: RecordedMigrations, cache?: FormatCache): Promise<Map<string, string>> {
  const plan = planFor(blueprint, manifest, generatedSpec);
  for (const stream of plan.migrationStreams) stream.migrations = recorded[stream.id] ?? [];
  plan.migrations = plan.migrationStreams[0]?.migrations ?? [];
  const tree = detachedTree();
  await renderStep(tree, { plan, blueprint });
  await formatWithCache(tree, cache);
  return new Map(tree.writtenPaths().map((p) => [p, tree.read(p)!]));
}
