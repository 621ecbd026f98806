/**
 * The Plan: everything a blueprint's templates print, fully derived from the spec and the answers.
 * Templates only print what is here; if a template needs to compute something, add it to the planner.
 * SQL fragments in the plan are already safe to print (identifiers quoted where reserved).
 */
import type { FieldType, Role, Spec } from '../domain/schema.js';
import type { ArchitecturePlan } from './architecture.js';
import type { AdviceContextInput } from '../advise/context.js';
import type { Measured } from '../advise/capacity.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn';

export interface PackageManagerCommands {
  name: PackageManager;
  /** Install and update the lockfile (development). */
  install: string;
  /** Install exactly what the lockfile says (CI, Docker build stage). */
  ci: string;
  /** The same, production dependencies only (Docker runtime stage). */
  ciProduction: string;
  /** Prefix for running a package.json script, e.g. "npm run". */
  run: string;
  lockfile: string;
  /** A command to run first in a fresh Node image (corepack), or null. */
  setup: string | null;
}

/** What the planner needs besides the spec: the answers, mapped once (plan/input.ts). */
export interface PlanInput {
  spec: Spec;
  name: string;
  blueprint: string;
  packageManager: PackageManager;
  /** The optional features that are on (undefined: every feature the blueprint declares). */
  features?: string[] | undefined;
  /** Answers to the blueprint's own questions, by question id (default: none). */
  options?: Record<string, string>;
  generatorVersion: string;
  /** The context given to `advise` (recorded in the answers), for the decision record. */
  context?: AdviceContextInput | undefined;
  /** API throughput a verify run measured, for the capacity estimate. */
  measured?: Measured | undefined;
}

/**
 * The blueprint-neutral part of the plan, computed once in the core: entities, columns, constraints,
 * derived indexes (each with the query it serves), relations, jobs. A blueprint's planner adds the rest.
 */
export interface DomainPlan {
  generator: { name: string; version: string };
  project: { name: string; description: string; packageManager: PackageManager; commands: PackageManagerCommands; nodeEngine: string };
  blueprint: { id: string; title: string };
  /** Feature id → on/off, for the features the blueprint declares. */
  features: Record<string, boolean>;
  /** Answers to the blueprint's own questions. */
  options: Record<string, string>;
  roles: readonly Role[];
  /** Multi-tenancy (spec `tenancy`), or null when the project has a single tenant. */
  tenancy: TenancyPlan | null;
  /** In table-creation order (referenced entities first). */
  entities: EntityPlan[];
  jobs: JobPlan[];
  /** The spec the plan was derived from (defaults applied); recorded in the manifest. */
  spec: Spec;
  /** Bounded contexts (spec `services:`, or the blueprint's default grouping); absent when not split. */
  services?: ServiceGroupPlan[];
}

/** A service and the entities it owns (in table-creation order). */
export interface ServiceGroupPlan {
  name: string;
  entities: string[];
}

/**
 * A reference to an entity another service owns: an indexed uuid column, no foreign key (the owner's
 * database is not this one). The owner's created/updated/deleted events keep a local read model of it.
 */
export interface ExternalReferencePlan {
  column: string;
  columnSql: string;
  entity: string;
  entityPascal: string;
  /** The owning service. */
  service: string;
  nullable: boolean;
}

export interface Plan extends DomainPlan {
  /** Every dependency of the generated project, from the blueprint's pinned version map. */
  packages: { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  /** The first migration stream's migrations (what the [migration] expansion renders). */
  migrations: MigrationPlan[];
  /** One per database, each numbered on its own. */
  migrationStreams: MigrationStreamPlan[];
  metrics: MetricPlan[];
  alerts: AlertPlan[];
  env: EnvVarPlan[];
  /** The architecture decision record (docs/architecture.md), for the four architectures advise compares. */
  architecture?: ArchitecturePlan;
  /** The table that records every mutation, if the blueprint keeps one (the shared audit-log check reads it). */
  auditLog?: AuditLogPlan;
  /** The process that consumes the job queues, if the blueprint runs one (the shared async.enqueue-202 check finds it by this). */
  jobConsumer?: JobConsumerPlan;
  /**
   * Metrics pushed rather than scraped (a Worker has no process to scrape): the method that writes a
   * data point and where it goes. The shared health-endpoints check then looks for that call instead
   * of a GET /metrics route.
   */
  metricsPush?: {
    method: string;
    sink: string;
    /**
     * Where the data points land, by binding (`env.METRICS.writeDataPoint(…)` → dataset): the SQL tables
     * alert rules may read (observability.alert-metrics).
     */
    datasets?: Record<string, string>;
  };
  /** The HTTP processes, when there is more than one (a gateway and services): observability.health-endpoints judges each. */
  httpProcesses?: HttpProcessPlan[];
  /**
   * PostgreSQL is reached through a platform's connection proxy (a Worker's Hyperdrive binding), which
   * pools: observability.alert-thresholds does not ask for a pool-saturation alert (no pool gauge reaches the project).
   */
  connectionProxy?: { title: string; binding: string };
  /**
   * The HTTP entry is a handler the entry file's default export names (a Worker's `fetch`): api.error-format
   * looks for its error boundary there, observability.structured-logs for its request-scoped logger.
   */
  httpHandler?: { entry: string; export: string };
  /**
   * Jobs the API accepts (202 + status URL) but does not leave to `jobConsumer`: it hands them to
   * another deployable (the hybrid's transactional outbox → relay → functions). The shared job checks
   * judge them with `jobs`: their routes answer 202, `consumer` takes them from where the API put
   * them, and the runtime adapter's `startHandedOff` starts what runs them.
   */
  handedOffJobs?: HandedOffJobsPlan;
  // Whatever else the blueprint's planner added for its templates (processes, services, queues …) is
  // in the object too; the core never reads it, so it is not typed here.
}

/** The audit log of mutations: its table, range-partitioned by time on `partitionKey`. */
export interface AuditLogPlan {
  table: string;
  partitionKey: string;
}

/** A migration stream as a blueprint's planner declares it. */
export interface MigrationStreamInput {
  /** Unique within the project, e.g. "main" or a service name. */
  id: string;
  /** Folder of its .sql files, relative to the project, e.g. "migrations". */
  dir: string;
  /** The entities whose tables live in this database. */
  entities: string[];
  /** Title of the initial migration. */
  initialTitle: string;
  /** Statements that come before the entity tables in the initial migration (and their reverse). */
  builtIn: { up: SqlStatement[]; down: SqlStatement[] };
  /**
   * Tables the blueprint derives beyond the entities' (e.g. read models of another service's entities),
   * by name: the initial migration creates them after the built-in statements; a later change that
   * introduces one creates it in that change's additive migration.
   */
  derivedTables?: DerivedTable[];
  /**
   * Built-in tables (created by `builtIn.up`, with the tenant column) that hold tenant rows, e.g. the
   * monolith's table of job runs. With tenancy the initial migration holds them to row-level security like the
   * tenant-owned entities (enabled, forced, the tenant policy; the tenant role may read, insert and
   * update), and schema.tenant-isolation judges them as tenant-owned.
   */
  tenantTables?: string[];
  /**
   * Every built-in table that carries the tenant column with tenancy (the `tenantTables`, and e.g. the
   * accounts table, which is read across tenants at sign-in so it has no policy). `update` turning
   * tenancy on for an existing database adds the column to these, backfilled with the tenant the user names.
   */
  tenantColumnTables?: string[];
  /**
   * Per tenant table: how `update` fills its tenant column when a project's migrations created the table
   * without one (made multi-tenant before the generator gave it one): statements run after the column is
   * added (nullable) and before it is made NOT NULL, setting it from what each row belongs to (e.g. a job
   * run: its job's entity). Rows they leave without a tenant are kept, readable by no tenant.
   */
  tenantBackfill?: Record<string, SqlStatement[]>;
  /**
   * With tenancy: statements placed after the tenant role and the row-level security exist (and their
   * reverse, first in the down migration), e.g. the privileges the tenant role needs on the blueprint's
   * own tables (the hybrid's outbox, written in the tenant's transaction).
   */
  tenantGrants?: { up: SqlStatement[]; down: SqlStatement[] };
}

export interface DerivedTable {
  name: string;
  up: SqlStatement[];
  down: SqlStatement[];
}

export interface MigrationStreamPlan extends Omit<MigrationStreamInput, 'builtIn' | 'initialTitle' | 'derivedTables'> {
  /** The stream's derived tables (a later change compares names with the recorded plan's). */
  derivedTables: DerivedTable[];
  migrations: MigrationPlan[];
}

/**
 * How tenant isolation works: the tenant comes from a claim of the caller's token; every query on a
 * tenant-owned table carries `column = $tenant`, and row-level security policies compare the column with
 * the transaction's `setting` (set with set_config(…, true), i.e. SET LOCAL) while the transaction runs
 * as `role` (SET LOCAL ROLE): a role that owns nothing and cannot bypass RLS, created by the migrations.
 */
export interface TenancyPlan {
  column: string;
  columnSql: string;
  /** The token claim carrying the tenant id. */
  claim: string;
  /** The custom setting the RLS policies read, e.g. "app.tenant_id". */
  setting: string;
  /** The RLS predicate as printed in policies: the column equals the setting (NULL, so false, when unset). */
  policySql: string;
  /** The database role tenant transactions run as (NOLOGIN, NOSUPERUSER, NOBYPASSRLS, owns no table). */
  role: string;
}

export interface EntityPlan {
  name: string; // snake_case, as declared: "order_item"
  pascal: string; // "OrderItem"
  camel: string; // "orderItem"
  plural: string; // "order_items"
  pluralPascal: string; // "OrderItems"
  pluralCamel: string; // "orderItems"
  description: string;
  /** Table name as printed in SQL ("order" is printed as "\"order\""). */
  table: string;
  /** Bare table name (for index names, test SQL in strings that need no quoting decision). */
  tableName: string;
  /** HTTP path prefix, e.g. "/order-items". */
  routePrefix: string;
  /** Folder under src/modules/, e.g. "order-item". */
  moduleDir: string;
  softDelete: boolean;
  /** Rows are never changed or removed: no PATCH/DELETE routes, and a trigger refuses UPDATE/DELETE. */
  appendOnly: boolean;
  /** Composite unique constraints (column names), each backed by a unique index. */
  uniques: string[][];
  /** Rows belong to a tenant (see DomainPlan.tenancy): scoped queries, RLS, tenant-leading indexes. */
  tenantScoped: boolean;
  /** Table-level constraints printed after the columns (composite foreign keys of tenant-owned tables). */
  tableConstraints: string[];
  cacheTtl: number;
  permissions: { read: Role[]; write: Role[]; delete: Role[] };
  /** A role that may read but not write (for the 403 test), or null when every role may write. */
  forbiddenWriteRole: Role | null;
  /** Every column in table order: id, declared fields, created_at, updated_at, deleted_at?. */
  columns: ColumnPlan[];
  /** The declared fields only: the API's create/update body. */
  fields: ColumnPlan[];
  references: ReferencePlan[];
  /** Entities whose rows reference this one (for jobs that summarize children). */
  referencedBy: { entity: string; table: string; column: string }[];
  indexes: IndexPlan[];
  /** Columns a list request may filter on (from the access patterns' `where`). */
  filters: FilterPlan[];
  /** Allowed list sorts; the first is the default. */
  sorts: SortPlan[];
  /** Names of jobs that run on this entity. */
  jobs: string[];
  /** A create body that fails validation (a field given an object), as a JSON string. */
  invalidBodyJson: string;
  /** The service that owns it, when the project is split into services. */
  service?: string;
  /** References to entities of other services (not in `references`: no foreign key). */
  externalReferences?: ExternalReferencePlan[];
}

export interface ColumnPlan {
  name: string;
  /** As printed in SQL (quoted if reserved). */
  sql: string;
  camel: string;
  fieldType: FieldType | 'id' | 'audit';
  /** Full column definition for CREATE TABLE, e.g. "name varchar(200) NOT NULL CHECK (char_length(name) >= 1)". */
  ddl: string;
  /** The constraints in `ddl`, as data (what add/update diff). */
  constraints: ColumnConstraints;
  sqlType: string;
  nullable: boolean;
  unique: boolean;
  /** Required in the create body (not optional, no default). */
  required: boolean;
  /** Generated by the database or the app (id, created_at, updated_at, deleted_at): never in request bodies. */
  generated: boolean;
  /**
   * What the API accepts for the value (without nullability) as JSON Schema facts, in no validator's
   * syntax, e.g. `{ type: 'string', minLength: 1, maxLength: 200 }`: a blueprint prints it its own way
   * (the shared templates' schemas.ts.ejs as TypeBox).
   */
  schema: ValueSchema;
  /** TypeScript type of the value as the API returns it, e.g. "string", "number", "'active' | 'archived'". */
  tsType: string;
  /** Entity name this column references, if it is a foreign key. */
  references: string | null;
  /**
   * A TypeScript expression producing a valid value for tests and seeds, using `n` (a unique integer)
   * for uniqueness. Null for foreign keys (the factory passes the parent's id) and generated columns.
   */
  exampleExpr: string | null;
  /** decimal fields: the column's scale (the API refuses more fractional digits); null otherwise. */
  decimalScale: number | null;
  /** SQL expression producing a valid value for row `g` (generate_series) when seeding volume, or null for FKs. */
  seedSql: string | null;
  description: string;
}

export interface ColumnConstraints {
  notNull: boolean;
  /** SQL default expression, e.g. "now()" or "'active'", or null. */
  default: string | null;
  /** A UNIQUE constraint on the column itself (soft-deleted tables use a partial unique index instead). */
  unique: boolean;
  references: { table: string; onDelete: 'RESTRICT' | 'CASCADE' | 'SET NULL' } | null;
  /** CHECK expressions, without the CHECK keyword and outer parentheses. */
  checks: string[];
}

export interface FilterPlan extends ColumnPlan {
  /** `?column=value` (an access pattern filters on it by equality). */
  equality: boolean;
  /** `?column=null` / `?column=!null` (an access pattern checks it for NULL). */
  nullCheck: boolean;
  /** The query parameter's value schema (the column's, or a union with the `null` / `!null` literals). */
  filterSchema: ValueSchema;
}

/**
 * A value's JSON Schema (draft 2020-12 keywords; the subset the domain needs). Keys keep the order they
 * were set in, so a printer that follows it prints the same text for the same schema.
 */
export interface ValueSchema {
  type?: 'string' | 'integer' | 'boolean';
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** One of these values (an enum field). */
  enum?: string[];
  /** Exactly this value (a member of anyOf). */
  const?: string;
  /** Any one of these schemas; the keys beside it (type, maxLength, description) hold for the union. */
  anyOf?: ValueSchema[];
  description?: string;
}

export interface ReferencePlan {
  /** The foreign key includes the tenant column (both tables tenant-owned): a row can only point at its own tenant's rows. */
  tenantScoped: boolean;
  column: string; // bare column name
  columnSql: string;
  entity: string; // referenced entity name
  entityPascal: string; // referenced entity, PascalCase (factory/function names)
  entityModuleDir: string; // referenced entity's folder under src/modules/ (and test/factories/)
  table: string; // referenced table as printed in SQL
  onDelete: 'RESTRICT' | 'CASCADE' | 'SET NULL';
  nullable: boolean;
  /** The referenced entity is soft-deleted: a create/update must not point at a deleted row (the FK alone allows it). */
  parentSoftDelete: boolean;
}

export interface IndexPlan {
  name: string;
  kind: 'foreign-key' | 'access-pattern' | 'unique';
  table: string; // as printed in SQL
  /** Column list as printed in SQL, e.g. "team_id, created_at DESC, id DESC". */
  columnsSql: string;
  /** Bare column names in index order, e.g. ["team_id", "created_at", "id"]. */
  columns: string[];
  where: string | null; // e.g. "deleted_at IS NULL"
  unique: boolean;
  /** The one-line justification: which query this index serves. */
  serves: string;
  /** The full CREATE INDEX statement. */
  sql: string;
  /** For access-pattern indexes: the declared pattern and the exact list query it serves (for EXPLAIN). */
  accessPattern: {
    /** Equality columns. */
    where: string[];
    /** `column IS [NOT] NULL` conditions (the index is partial on them). Absent in plans recorded before they existed. */
    nullChecks?: NullCheck[];
    /** `nullable`: NULLs sort last (the index key and the query say NULLS LAST). */
    order: { column: string; direction: 'asc' | 'desc'; nullable?: boolean };
    httpQuery: string;
  } | null;
}

export interface NullCheck {
  column: string;
  /** true: IS NULL; false: IS NOT NULL. */
  isNull: boolean;
}

export interface SortPlan {
  /** Value of the `sort` query parameter, e.g. "created_at:desc". */
  key: string;
  column: string;
  columnSql: string;
  direction: 'asc' | 'desc';
  /** The sort column can be NULL: NULLs come last, and a cursor may carry a null value. */
  nullable: boolean;
  /** ORDER BY clause body, e.g. "created_at DESC, id DESC" ("due_at ASC NULLS LAST, id ASC" when nullable). */
  orderBySql: string;
  /** Keyset comparison operator for the next page: "<" for desc, ">" for asc. */
  cursorOp: '<' | '>';
  /** SQL type to cast the cursor's sort value back to, e.g. "timestamptz". */
  castType: string;
}

/** An HTTP process: the sources it is built from (a path prefix) and what its readiness must check. */
export interface HttpProcessPlan {
  name: string;
  /** Path prefix of its sources, e.g. 'src/gateway/'; a file belongs to the process with the longest matching prefix. */
  sources: string;
  readinessChecks: ('postgresql' | 'redis')[];
  /**
   * A reverse proxy (a gateway): its wildcard routes pass every other request to the processes behind
   * it, whose own routes validate and authorize (and are judged); it answers unknown paths itself.
   */
  forwards?: boolean;
}

/** Jobs the API hands to another deployable (the hybrid's outbox → relay → functions). */
export interface HandedOffJobsPlan {
  jobs: JobPlan[];
  /** The process that takes them from where the API put them. */
  consumer: JobConsumerPlan;
  /** How they travel, as evidence names it (e.g. "the outbox → relay → functions"). */
  via: string;
}

/** Where a blueprint's jobs are consumed: the process, and what in its code starts a consumer. */
export interface JobConsumerPlan {
  /** The package.json script that starts the process, and its entry file when the script names none. */
  script: string;
  entry: string;
  /**
   * What starts a consumer: `new <name>(…)` (kind "new"), a function call `<name>(…)` ("call"), a method call
   * `….<name>(…)` ("method"), a handler the entry's default export names (`export default { <name>: … }`,
   * kind "export": a Worker's `queue` handler, which the platform invokes per batch), or a query claiming
   * rows of the table `<name>` with `FOR UPDATE SKIP LOCKED` ("claim": a consumer of a table, e.g. an
   * outbox relay).
   */
  construct: { kind: 'new' | 'call' | 'method' | 'export' | 'claim'; name: string };
  /** The job library, as evidence and fixes name it. */
  library: string;
}

export interface JobPlan {
  name: string; // kebab-case, as declared: "export-project"
  queue: string; // queue (or stream) name
  pascal: string; // "ExportProject"
  camel: string; // "exportProject"
  entity: string; // entity name
  entityPascal: string;
  entityCamel: string;
  /** The entity's folder under src/modules/ (the processor imports its repository). */
  entityModuleDir: string;
  /** The entity's table as printed in SQL. */
  entityTable: string;
  /** Rows referencing the entity (= the entity's referencedBy; table and column as printed in SQL): what an export job counts. */
  children: { entity: string; table: string; column: string }[];
  description: string;
  /** POST path that enqueues the job, e.g. "/projects/:id/jobs/export-project". */
  routePath: string;
  /** Tries in all: retries + 1. */
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  permissions: Role[];
}

export interface MigrationPlan {
  /** File name under migrations/, e.g. "1700000000000_initial.sql" (ordered by its numeric prefix). */
  fileName: string;
  title: string;
  up: SqlStatement[];
  down: SqlStatement[];
}

export interface SqlStatement {
  /** Why this statement exists (printed as a SQL comment above it). */
  comment: string;
  sql: string;
}

export interface MetricPlan {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  labels: string[];
  /** Which process exports it (relay and consumer: the event processes of a split deployment). */
  process: 'api' | 'worker' | 'relay' | 'consumer';
  buckets?: number[];
}

export interface AlertPlan {
  name: string;
  expr: string;
  for: string;
  severity: 'page' | 'ticket';
  summary: string;
  /** Seed document and section the threshold comes from. */
  source: string;
  /** Metric names the expression reads (verify checks the app exports them). */
  metrics: string[];
}

export interface EnvVarPlan {
  name: string;
  description: string;
  kind: 'string' | 'url' | 'int' | 'bool' | 'list' | 'enum';
  required: boolean;
  default: string | null;
  /** Value written to .env.example and used by docker-compose. */
  example: string;
  secret: boolean;
  min?: number;
  values?: string[];
  /** zod schema expression printed in the generated src/config.ts (uses its helpers str/url/int/bool/list). */
  zod: string;
}
