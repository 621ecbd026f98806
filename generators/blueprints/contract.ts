/**
 * The blueprint contract: what a blueprint's module (`index.js`, named by `main` in blueprint.json)
 * exports, and what the core hands it. Built-in and external blueprints are loaded the same way
 * (registry.ts) and implement the same interface. Types only: an author writing plain JavaScript can
 * reference them in JSDoc (`@type {import('create-backend-arch/contract').BlueprintModule}`).
 *
 *   plan(args)       the blueprint's planner: adds its parts (processes, queues, env, metrics, alerts,
 *                    dependency pins, migration streams …) to the blueprint-neutral domain plan;
 *   checklist(args)  which shared checks apply (the rest skip, with the reason) and its own checks;
 *   runtime(rt)      the runtime adapter: how verify's dynamic checks build, migrate, start each
 *                    process and know it is ready, mint a token, read a page;
 *   postTasks(args)  work after the commit (install, git init …), returned as callbacks, skipped in dry-run.
 */
import type { Answers } from '../core/manifest.js';
import type { Check } from '../verify/types.js';
import type { AppProcess, Runtime } from '../verify/dynamic/runtime.js';
import type { DomainPlan, EnvVarPlan, MetricPlan, AlertPlan, MigrationStreamInput, Plan, PlanInput, AuditLogPlan, HttpProcessPlan, JobConsumerPlan, HandedOffJobsPlan, JobPlan, SqlStatement, EntityPlan } from '../plan/types.js';
import type { BlueprintManifest } from './manifest.js';
import type { PlannerKit } from './kit.js';
import type { ResolvedPack } from '../packs/registry.js';
import type { ArchitecturePlan } from '../plan/architecture.js';
import type { Estimate, EstimateRow } from '../advise/capacity.js';

export type { Check, CheckContext, CheckOutcome, Evidence, SeedRef } from '../verify/types.js';
export type { Plan, DomainPlan, EntityPlan, JobPlan, MigrationPlan, SqlStatement, PlanInput } from '../plan/types.js';
export type { Runtime, AppProcess, PgClient } from '../verify/dynamic/runtime.js';
export type { BlueprintManifest } from './manifest.js';
export type { PlannerKit } from './kit.js';
export type { PackTestCase, PackTestProject } from '../packs/test-runner.js';
export type { PackCheck, PackCheckKit } from '../packs/registry.js';
export type { ArchitecturePlan, Estimate, EstimateRow };

/** What a blueprint's planner adds to the domain plan. Anything else it returns is kept for its templates. */
export interface BlueprintPlanParts {
  /** Every dependency of the generated project, pinned (create-t3-app's dependencyVersionMap). */
  packages: { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  metrics: MetricPlan[];
  alerts: AlertPlan[];
  env: EnvVarPlan[];
  /**
   * One migration stream per database. The core writes each stream's initial migration (the
   * stream's built-in statements, its derived tables, then the tables of its entities with their
   * derived indexes) and, on add/update, one additive migration per stream whose schema changed or
   * that gained a derived table. The first stream is
   * `plan.migrations` (the [migration] expansion).
   */
  migrationStreams: MigrationStreamInput[];
  /** The table that records every mutation (schema.audit-log-partitioned finds it in the migrations). */
  auditLog?: AuditLogPlan;
  /** The process that consumes the job queues (async.enqueue-202 looks for its consumer there). */
  jobConsumer?: JobConsumerPlan;
  /** The HTTP processes when there is more than one (observability.health-endpoints judges each one's readiness). */
  httpProcesses?: HttpProcessPlan[];
  /** Jobs the API hands to another deployable instead of `jobConsumer` (the shared job checks judge them there). */
  handedOffJobs?: HandedOffJobsPlan;
  /**
   * For the four architectures advise compares: what replaces the core's blueprint-neutral defaults in
   * docs/architecture.md (the mermaid diagram lines — by default only client, API and database —, the
   * security checklist — by default no item claimed —, the scaling path — by default steps naming no
   * engine, variable, alert or metric —, how the performance targets are monitored — by default only
   * the shared verify checks). Called once the plan is merged, with the core's capacity estimate, so a
   * scaling step can say from which load it applies.
   */
  architectureFacts?: (args: ArchitectureFactsArgs) => ArchitectureFacts;
  [part: string]: unknown;
}

/** What a blueprint's `architectureFacts` gets. */
export interface ArchitectureFactsArgs {
  /** The plan as merged (the blueprint's parts over the domain plan: its alerts, features, jobs …). */
  plan: Omit<Plan, 'architecture'>;
  /** The core's capacity estimate for this architecture at 1×–10× of the stated load (advise/capacity.ts). */
  estimate: Estimate;
}

/** The parts of docs/architecture.md only the blueprint knows; each one given replaces the core's default. */
export type ArchitectureFacts = Partial<Pick<ArchitecturePlan, 'diagram' | 'security' | 'scalingPath' | 'targets'>>;

export interface PlannerArgs {
  domain: DomainPlan;
  input: PlanInput;
  kit: PlannerKit;
  /** The extended blueprint's planner, when this blueprint `extends` another (undefined otherwise). */
  parent: ((args: Omit<PlannerArgs, 'parent'>) => BlueprintPlanParts) | undefined;
}

export interface Checklist {
  /** Shared checks (by id, or id prefix ending in '.') that hold for this blueprint; "all" for every one. */
  shared: 'all' | string[];
  /** The blueprint's own checks (ids must not collide with shared ones). */
  own?: Check[];
  /**
   * Why a shared check it does not select cannot hold for its projects, by check id: reported as not
   * applicable (`n/a`, counted apart from skips) with this reason; a shared check it neither selects nor
   * names here is a skip saying only that it is not in its checklist.
   */
  notApplicable?: Record<string, string>;
}

/** One data point a process wrote to a pushed-metrics binding, as a recorder saw it. */
export interface RecordedPoint {
  binding: string;
  dataset: string;
  point: { indexes?: string[]; blobs?: unknown[]; doubles?: unknown[] };
}

/** One process of a generated project, as verify starts it. */
export interface ProcessSpec {
  /** Arguments to `node` (run in the project directory), e.g. the compiled entry file. */
  args: string[];
  /** The env var that gets the free port the process must listen on. */
  portEnv: string;
  /** A path that answers 2xx once the process is ready, e.g. '/health/live'. */
  ready: string;
  /** The env var that gets a second free port for its metrics endpoint, when it serves them apart. */
  metricsPortEnv?: string;
  /**
   * Starts what the process cannot answer without (e.g. the services behind a gateway, each on its own
   * database) before it is started, and returns the environment that points the process at them. Called
   * on every start of the process; memoize shared companions with `rt.state`.
   */
  needs?(rt: Runtime): Promise<Record<string, string>>;
}

/** A page of a list endpoint, read the blueprint's way. */
export interface Page {
  items: unknown[] | undefined;
  /** The cursor of the next page (undefined when the body has no cursor field at all). */
  next: unknown;
  hasCursorField: boolean;
}

/**
 * How verify's dynamic checks drive a generated project. The Runtime (servers, databases, processes,
 * cleanup) calls these; checks call the Runtime (startApi, tokens, migrated …) and never learn the
 * project's file names or endpoints.
 */
export interface RuntimeAdapter {
  /** Compile the project (e.g. `npm run build`); throw with the tail of the output on failure. */
  build(rt: Runtime): Promise<void>;
  /** Apply the project's migrations to an empty database with the project's own runner. */
  migrate(rt: Runtime, databaseUrl: string): Promise<void>;
  /** Environment every process gets (secrets for this run, limits the checks need). */
  env(rt: Runtime): Record<string, string>;
  /** The processes by name; `api` is the one HTTP checks talk to. */
  processes: Record<string, ProcessSpec>;
  /**
   * The process that consumes the job queues (default `worker`). A Worker's queue handler runs in the
   * same deployment as its fetch handler, so the serverless blueprint names `api`.
   */
  jobProcess?: string;
  /**
   * What dynamic.readiness makes unavailable to see readiness fail and recover (default `redis`: a relay
   * that refuses connections). `postgresql`: the app database reached through a relay that, when cut,
   * accepts connections and never answers (a partition) — for a runtime that cannot survive a refused
   * database connection (wrangler dev's local Hyperdrive proxy) and whose readiness checks PostgreSQL only.
   */
  readinessDependency?: 'redis' | 'postgresql';
  /**
   * Where the processes run, when that is not what production runs (e.g. "wrangler dev (workerd and its
   * local simulators) on this machine, not the edge"): said beside figures measured on it (dynamic.load-p95).
   */
  runsOn?: string;
  /**
   * false when latency measured where the processes run says nothing of production (a local simulator):
   * dynamic.load-p95 runs the same load, still fails on errors, and reports its figures as a skip instead of
   * judging the seed's p95. Default true.
   */
  judgesLatency?: boolean;
  /**
   * For a plan that pushes its metrics (plan.metricsPush) to a sink the local runtime does not keep: starts the
   * API with the sink replaced by a recorder, so dynamic.metrics-series sees the data points requests write.
   * `points()` is what was written so far, `how` says what was replaced (for the verdict), `stop()` ends it all.
   * Without it, that check skips, saying the points cannot be observed locally.
   */
  recordMetrics?(rt: Runtime): Promise<{ api: AppProcess; points(): RecordedPoint[]; how: string; stop(): Promise<void> }>;
  /** One bearer token per role (users created the blueprint's way). */
  tokens(rt: Runtime, apiUrl: string, databaseUrl: string): Promise<Record<string, string>>;
  readPage(body: unknown): Page;
  /**
   * Fresh databases migrated for `label` when the project has more than one (a database per service),
   * each with the entities whose tables it holds; the first is the one `migrate` prepares (accounts,
   * tokens). Without it, `rt.migrated(label)` holds every entity.
   */
  databases?(rt: Runtime, label: string): Promise<{ url: string; entities: string[] }[]>;
  /**
   * Where the processes named in the plan's metrics (`api`, `worker`, a blueprint's own) serve /metrics,
   * started as the HTTP checks run them: one URL per running instance (e.g. every service's API). Without
   * it, `api` is the shared API's metrics URL and `worker` the shared worker's.
   */
  metricsEndpoints?(rt: Runtime, processes: string[]): Promise<Record<string, string[]>>;
  /**
   * Starts what runs the plan's `handedOffJobs` (e.g. the hybrid's relay and functions), so
   * dynamic.job-roundtrip can follow one to completion; `stop` ends what it started, `output` is their
   * logs for evidence. Required when the plan hands jobs off.
   */
  startHandedOff?(rt: Runtime, jobs: JobPlan[]): Promise<{ stop(): Promise<void>; output(): string }>;
}

export interface PostTask {
  title: string;
  run(): Promise<void>;
}

export interface PostTaskArgs {
  plan: Plan;
  dir: string;
  answers: Answers;
}

/** What checklist() gets: the outcome constructors, so checks written in plain JS need no import of the generator. */
export interface CheckKit {
  pass: typeof import('../verify/types.js').pass;
  fail: typeof import('../verify/types.js').fail;
  skip: typeof import('../verify/types.js').skip;
  verdict: typeof import('../verify/types.js').verdict;
  seed: typeof import('../verify/types.js').seed;
  /**
   * The core's code-analysis helpers, so a blueprint's own checks read the project's TypeScript the
   * way the shared checks do (`ctx.project.sources()` parses it once per run): `evaluate` folds an
   * expression to a value (`UNKNOWN` when it cannot; an object spread it cannot follow sets
   * `SPREAD_UNKNOWN`), `findAll` collects the nodes of a kind under a node.
   */
  analysis: {
    evaluate: typeof import('../verify/analysis/evaluate.js').evaluate;
    UNKNOWN: typeof import('../verify/analysis/evaluate.js').UNKNOWN;
    SPREAD_UNKNOWN: typeof import('../verify/analysis/evaluate.js').SPREAD_UNKNOWN;
    findAll: typeof import('../verify/analysis/source.js').findAll;
  };
}

export interface BlueprintModule {
  plan(args: PlannerArgs): BlueprintPlanParts;
  checklist?(kit: CheckKit): Checklist;
  runtime?(rt: Runtime): RuntimeAdapter;
  postTasks?(args: PostTaskArgs): PostTask[];
  /** Lines printed after "Created …": what to do next (after cd and install), with the plan's package-manager commands. */
  nextSteps?(plan: Plan): string[];
}

/** Where a blueprint came from, as recorded in the project's manifest so `update` and `verify` find it again. */
export interface BlueprintSource {
  kind: 'builtin' | 'path' | 'package';
  /** kind path: relative to the project directory (or absolute); kind package: the package name. */
  ref?: string;
  version: string;
}

/** A blueprint resolved by the registry: its chain (parents first), merged manifest and module. */
export interface ResolvedBlueprint {
  id: string;
  manifest: BlueprintManifest;
  dir: string;
  source: BlueprintSource;
  /** Template folders, parents first: a later folder overrides an earlier one's file by path. */
  templateDirs: string[];
  /** The template folders of the blueprints its `mounts` name (by the mount's `blueprint` value), resolved when it loads. */
  mountedTemplateDirs?: Record<string, string[]>;
  module: BlueprintModule;
  /** The extended blueprint's planner (passed to plan() as `parent`), when there is one. */
  parentPlan: PlannerArgs['parent'];
  /**
   * What its templates import or declare at module level (blueprints/identifiers.ts): an entity whose
   * generated names hit one is refused for this blueprint.
   */
  identifiers: ReadonlySet<string>;
  /** The workshop pack composed onto this blueprint (generators/packs/registry.ts), when there is one. */
  pack?: ResolvedPack;
}

/** Re-exported so a planner written in JS can type its returned parts. */
export type { EnvVarPlan, MetricPlan, AlertPlan, MigrationStreamInput, EntityPlan as Entity, SqlStatement as Statement };
