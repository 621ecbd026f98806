/**
 * The domain spec: what a user declares (entities, fields, relations, access patterns, jobs).
 * Shape only; meaning (references resolve, columns exist, no duplicates) is checked in validate.ts.
 */
import { z } from 'zod';
import { blueprintRefSchema } from '../blueprints/manifest.js';
import { IDENTIFIER } from './sql-names.js';

export const FIELD_TYPES = [
  'string',
  'text',
  'email',
  'integer',
  'bigint',
  'decimal',
  'boolean',
  'uuid',
  'timestamp',
  'date',
  'enum',
  'json',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const identifier = z
  .string()
  .regex(IDENTIFIER, { error: 'expected a snake_case name: a lower-case letter, then letters, digits or _, at most 40 characters' });

const jobName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: 'expected a kebab-case job name: a lower-case letter, then letters, digits or -, at most 40 characters' });

/** Enum values are kept exactly as the domain spells them (`PG-13`, `inProgress`, `EUR`), in the API and in SQL. */
const enumValue = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,62}$/, {
    error: 'expected an enum value of letters, digits, _ . + or - (starting with a letter or digit, at most 63 characters), e.g. PG-13',
  });

/** `column`, `column is null` or `column is not null` in an access pattern's `where`. */
export const WHERE_ENTRY = /^([a-z][a-z0-9_]{0,39})( is (not )?null)?$/;
const whereEntry = z.string().regex(WHERE_ENTRY, {
  error: 'expected "<column>" (equality) or "<column> is null" / "<column> is not null", e.g. "returned_at is null"',
});

export const fieldSchema = z.strictObject({
  type: z.enum(FIELD_TYPES),
  /** Nullable column; omitted from required create input. */
  optional: z.boolean().default(false),
  unique: z.boolean().default(false),
  /** string/email: maximum length (default 255). integer/decimal: maximum value. */
  max: z.number().optional(),
  /** string: minimum length. integer/decimal: minimum value. */
  min: z.number().optional(),
  /** decimal only */
  precision: z.number().int().min(1).max(38).optional(),
  scale: z.number().int().min(0).max(38).optional(),
  /** enum only */
  values: z.array(enumValue).min(1).optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  /** uuid only: foreign key to another entity's id. */
  references: identifier.optional(),
  onDelete: z.enum(['restrict', 'cascade', 'set-null']).optional(),
  description: z.string().max(200).optional(),
});
export type FieldSpec = z.output<typeof fieldSchema>;

export const accessPatternSchema = z.strictObject({
  /** Equality filters, in the order the index should use them, and `column is [not] null` conditions. */
  where: z.array(whereEntry).default([]),
  /** One sort column and direction, e.g. "created_at desc". */
  order: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}( (asc|desc))?$/, { error: 'expected "<column>" or "<column> asc|desc", e.g. "created_at desc"' })
    .optional(),
  description: z.string().max(200).optional(),
});
export type AccessPatternSpec = z.output<typeof accessPatternSchema>;

export const entitySchema = z.strictObject({
  description: z.string().max(200).optional(),
  /** DELETE sets deleted_at; reads and indexes skip deleted rows. */
  softDelete: z.boolean().default(false),
  /** Rows are never changed or removed (a ledger, an event log): no PATCH/DELETE, the database refuses UPDATE/DELETE. */
  appendOnly: z.boolean().default(false),
  /**
   * With a top-level `tenancy`: whether the entity's rows belong to a tenant (default true). `false` makes
   * it shared by every tenant (a catalogue); without `tenancy` it must be left out.
   */
  tenant: z.boolean().optional(),
  /** Composite unique constraints: each entry lists two or more columns unique together, e.g. [[team_id, name]]. */
  unique: z.array(z.array(identifier).min(2, { error: 'a composite unique constraint needs at least two columns (use `unique: true` on a field for one)' })).default([]),
  fields: z.record(identifier, fieldSchema).refine((f) => Object.keys(f).length > 0, { error: 'an entity needs at least one field' }),
  access: z.array(accessPatternSchema).default([]),
  permissions: z
    .strictObject({
      read: z.array(z.enum(ROLES)).min(1).default(['viewer', 'editor', 'admin']),
      write: z.array(z.enum(ROLES)).min(1).default(['editor', 'admin']),
      delete: z.array(z.enum(ROLES)).min(1).default(['admin']),
    })
    .default({ read: ['viewer', 'editor', 'admin'], write: ['editor', 'admin'], delete: ['admin'] }),
  /** Seconds a read-by-id stays in the Redis cache. */
  cacheTtl: z.number().int().min(1).max(86_400).default(60),
});
export type EntitySpec = z.output<typeof entitySchema>;

export const jobSchema = z.strictObject({
  entity: identifier,
  description: z.string().max(200).optional(),
  retries: z.number().int().min(0).max(20).default(3),
  /** First retry delay; doubles on every attempt (exponential backoff). */
  backoffMs: z.number().int().min(10).max(3_600_000).default(1000),
  timeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
  /**
   * Where the job runs, for a blueprint that deploys jobs in two places (hybrid): `container` (the
   * container half's own worker process) or `serverless` (a queue consumer function, fed through the
   * transactional outbox).
   * Absent: the blueprint's default (hybrid: serverless). Blueprints with one place for jobs ignore it.
   */
  runtime: z.enum(['container', 'serverless']).optional(),
});
export type JobSpec = z.output<typeof jobSchema>;

/** A service (bounded context) name: kebab-case, short enough for Kubernetes names, NATS subjects and env vars. */
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,29}$/;
const serviceName = z.string().regex(SERVICE_NAME, {
  error: 'expected a kebab-case service name: a lower-case letter, then letters, digits or -, at most 30 characters',
});

export const specSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,213}$/, { error: 'expected an npm-style package name: lower-case letters, digits and -' })
    .optional(),
  description: z.string().max(300).optional(),
  /** A built-in blueprint id, a path to a blueprint folder (relative to the spec) or an npm package name. */
  blueprint: blueprintRefSchema.optional(),
  /**
   * Multi-tenancy: every entity (unless `tenant: false`) gets the tenant column, set from the caller's
   * token; every query is scoped to the caller's tenant, and PostgreSQL row-level security backs it up.
   */
  tenancy: z.strictObject({ column: identifier.default('tenant_id') }).optional(),
  entities: z.record(identifier, entitySchema).refine((e) => Object.keys(e).length > 0, { error: 'declare at least one entity' }),
  jobs: z.record(jobName, jobSchema).default({}),
  /**
   * Bounded contexts, for blueprints with a database per service: service name → the entities it owns,
   * e.g. { catalog: [film, language], rentals: [rental, payment] }. Every entity in exactly one service.
   * A reference to an entity of another service is an indexed id column without a foreign key.
   */
  services: z.record(serviceName, z.array(identifier).min(1, { error: 'a service owns at least one entity' })).optional(),
});
/** A spec as written (defaults not yet applied). */
export type SpecInput = z.input<typeof specSchema>;
/** A spec after validation, defaults applied. */
export type Spec = z.output<typeof specSchema>;
