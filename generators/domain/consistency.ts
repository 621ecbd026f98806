/**
 * Checks that make "the spec is accepted" mean "the generated project compiles, migrates and passes its
 * own tests": values that PostgreSQL or the API would refuse later (defaults outside their field's own
 * range or type, numbers beyond their column type, too many columns) and names that would collide in
 * generated code after case conversion, with an identifier the generated code imports, or with a
 * JavaScript built-in property. Called by validateSpecMeaning; every issue says what to change.
 */
import type { PathSegment } from './located.js';
import type { EntitySpec, FieldSpec, Spec } from './schema.js';
import { camelCase, pascalCase, pluralize } from './words.js';

type Report = (path: PathSegment[], message: string) => void;

/** PostgreSQL: at most 1600 columns per table, 32 columns per index. */
export const MAX_TABLE_COLUMNS = 1600;
export const MAX_INDEX_COLUMNS = 32;
const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };
const DEFAULT_DECIMAL = { precision: 12, scale: 2 };
const DEFAULT_STRING_MAX = 255;
const EMAIL_MAX = 320;

/** Names that are properties of every JavaScript object: as a key they read the built-in, not the spec's value. */
const OBJECT_BUILT_INS = new Set(['constructor', 'prototype', '__proto__', 'hasownproperty', 'isprototypeof', 'tostring', 'valueof']);

/**
 * Identifiers the generated code imports or declares at module level next to per-entity names (the
 * built-in blueprints' templates; test/unit/spec-limits.test.ts fails when a template imports a name missing
 * here). An entity whose PascalCase form is one of these would shadow or clash with it (`static` →
 * `Static` from TypeBox).
 */
export const GENERATED_CODE_IDENTIFIERS = new Set(
  `ApiMetrics AuditContext Cache CircuitBreaker CircuitOpenError Config ConfigError Counter Fastify FastifyBaseLogger
FastifyError FastifyInstance FastifyPluginAsyncTypebox FastifyReply FastifyRequest Gauge Histogram HttpError
IdempotencyHeaders IncomingMessage Job JobData JobDefinition JobName JobStatus JobsOptions Logger LoggerOptions
ProblemSchema Processor Queryable Queue Queues Redis Registry Role RunningWorkers SqlFragment Static Type
TypeBoxTypeProvider UnrecoverableError Worker WorkerDeps WorkerMetrics Promise Error Date Map Set Object Array String
Number Boolean Symbol JSON Math Record Partial Readonly ROLES JOBS PROCESSORS AddressInfo Server ServerResponse Socket
ChildProcess FastifyDynamicSwaggerOptions TestProject
K8sObject EventBus GatewayConfig ServiceName RunningDeployment ROUTES Upstream UpstreamError AckPolicy DeliverPolicy
ConsumerMessages JsMsg ReadModelSpec JetStreamClient JetStreamManager NatsConnection ConnectionPool
AuthPrincipal FormatRegistry HttpExchange HttpRoute JobMessage
ProblemFieldError RequestContext TSchema TypeBoxValue WorkerEnv EventConsumerOptions DoneFuncWithErrOrRes HookHandlerDoneFunction
RouteInput RouteSchema`.split(/\s+/),
);

/** Suffixes the templates append to an entity's PascalCase / camelCase name to declare its types and functions. */
const PASCAL_SUFFIXES = ['', 'Input', 'Refs', 'Body', 'Schema', 'Params', 'ById', 'Sort', 'Service', 'Page', 'Filters', 'Query', 'Options', 'Result'];
const CAMEL_SUFFIXES = ['Input', 'Refs', 'Routes'];

/** Every identifier the generated code derives from an entity name. */
function entityIdentifiers(name: string): string[] {
  const pascal = pascalCase(name);
  const pluralPascal = pascalCase(pluralize(name));
  return [
    ...PASCAL_SUFFIXES.flatMap((s) => [`${pascal}${s}`, `find${pascal}${s}`, `${pluralPascal}${s}`]),
    ...CAMEL_SUFFIXES.map((s) => `${camelCase(name)}${s}`),
  ];
}

export function validateSpecConsistency(spec: Spec, at: Report): void {
  checkNames(spec, at);
  checkStrings(spec, [], at);
  for (const [entityName, entity] of Object.entries(spec.entities)) {
    const base: PathSegment[] = ['entities', entityName];
    checkColumnCounts(entity, base, at);
    for (const [fieldName, field] of Object.entries(entity.fields)) {
      checkFieldValues(field, [...base, 'fields', fieldName], at);
      if (field.references === entityName && !field.optional && field.onDelete !== 'set-null')
        at([...base, 'fields', fieldName, 'references'], `a required reference to its own entity means no first ${entityName} can ever be created; add optional: true`);
    }
  }
}

function checkNames(spec: Spec, at: Report): void {
  const builtIn = (path: PathSegment[], name: string, what: string) => {
    if (OBJECT_BUILT_INS.has(name.toLowerCase()))
      at(path, `"${name}" cannot be ${what} name: it is a property of every JavaScript object; choose another name`);
  };
  // Entities: the name, its plural (routes, list types) and every identifier derived from them must be
  // distinct, case-insensitively (two modules `AB` and `Ab` clash on case-insensitive filesystems).
  const owners = new Map<string, string>();
  for (const name of Object.keys(spec.entities)) {
    const path: PathSegment[] = ['entities', name];
    builtIn(path, name, 'an entity');
    const plural = pluralize(name);
    if (plural !== name && Object.hasOwn(spec.entities, plural))
      at(path, `the plural of "${name}" is "${plural}", which is also an entity: their routes and list types would collide; rename one`);
    const clash = entityIdentifiers(name).find((id) => GENERATED_CODE_IDENTIFIERS.has(id));
    if (clash) at(path, `"${name}" would generate the identifier ${clash}, which the generated code already uses; choose another name`);
    for (const key of new Set([pascalCase(name).toLowerCase(), pascalCase(plural).toLowerCase()])) {
      const owner = owners.get(key);
      if (owner && owner !== name) at(path, `"${name}" and "${owner}" become the same name in generated code (${pascalCase(name)}); rename one`);
      else owners.set(key, name);
    }
  }
  for (const [entityName, entity] of Object.entries(spec.entities)) {
    const seen = new Map<string, string>();
    for (const fieldName of Object.keys(entity.fields)) {
      const path: PathSegment[] = ['entities', entityName, 'fields', fieldName];
      builtIn(path, fieldName, 'a field');
      const key = camelCase(fieldName).toLowerCase();
      const other = seen.get(key);
      if (other) at(path, `fields "${fieldName}" and "${other}" become the same name in generated code (${camelCase(fieldName)}); rename one`);
      else seen.set(key, fieldName);
    }
  }
  const jobs = new Map<string, string>();
  for (const jobName of Object.keys(spec.jobs)) {
    const path: PathSegment[] = ['jobs', jobName];
    builtIn(path, jobName, 'a job');
    const key = pascalCase(jobName).toLowerCase();
    const other = jobs.get(key);
    if (other) at(path, `jobs "${jobName}" and "${other}" become the same name in generated code (${pascalCase(jobName)}); rename one`);
    else jobs.set(key, jobName);
    const clash = [`process${pascalCase(jobName)}`, `${pascalCase(jobName)}Result`].find((id) => GENERATED_CODE_IDENTIFIERS.has(id));
    if (clash) at(path, `"${jobName}" would generate the identifier ${clash}, which the generated code already uses; choose another name`);
  }
}

/** No string anywhere in the spec may hold NUL: PostgreSQL text cannot store it, and no tool prints it. */
function checkStrings(value: unknown, path: PathSegment[], at: Report): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) at(path, 'contains a NUL character (\\0); remove it');
  } else if (Array.isArray(value)) value.forEach((v, i) => checkStrings(v, [...path, i], at));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkStrings(v, [...path, k], at);
}

function checkColumnCounts(entity: EntitySpec, base: PathSegment[], at: Report): void {
  const columns = Object.keys(entity.fields).length + 3 + (entity.softDelete ? 1 : 0);
  if (columns > MAX_TABLE_COLUMNS)
    at([...base, 'fields'], `${columns} columns (with id, created_at, updated_at${entity.softDelete ? ', deleted_at' : ''}); PostgreSQL allows at most ${MAX_TABLE_COLUMNS} per table`);
  entity.access.forEach((pattern, i) => {
    // equality columns + the sort column + id (the keyset tie-breaker)
    const indexColumns = pattern.where.length + (pattern.order ? 1 : 0) + 1;
    if (indexColumns > MAX_INDEX_COLUMNS)
      at([...base, 'access', i, 'where'], `the index for this pattern would have ${indexColumns} columns; PostgreSQL allows at most ${MAX_INDEX_COLUMNS}`);
  });
}

/** Numbers and defaults the column type, the field's own bounds and the API schema all accept. */
function checkFieldValues(field: FieldSpec, path: PathSegment[], at: Report): void {
  const bounds: ['min' | 'max' | 'default', unknown][] = [
    ['min', field.min],
    ['max', field.max],
    ['default', field.default],
  ];
  const numeric = field.type === 'integer' || field.type === 'bigint' || field.type === 'decimal';
  if (numeric) {
    for (const [key, value] of bounds) {
      if (typeof value !== 'number') continue;
      const problem = numberProblem(field, value);
      if (problem) at([...path, key], problem);
    }
    if (typeof field.default === 'number') {
      if (field.min !== undefined && field.default < field.min) at([...path, 'default'], `default ${field.default} is below min (${field.min}): every insert using it would fail the CHECK`);
      if (field.max !== undefined && field.default > field.max) at([...path, 'default'], `default ${field.default} is above max (${field.max}): every insert using it would fail the CHECK`);
    }
  }
  if ((field.type === 'string' || field.type === 'email') && typeof field.default === 'string') {
    const length = [...field.default].length;
    const max = field.max ?? (field.type === 'email' ? EMAIL_MAX : DEFAULT_STRING_MAX);
    const min = field.min ?? 1;
    if (length > max) at([...path, 'default'], `the default is ${length} characters; the field allows at most ${max} (max)`);
    if (length < min) at([...path, 'default'], `the default is ${length} characters; the field needs at least ${min} (min, 1 unless set)`);
    if (field.type === 'email' && !/^.+@.+$/.test(field.default)) at([...path, 'default'], 'the default of an email field must be an email address');
  }
  if (field.type === 'string' && field.min !== undefined && (!Number.isInteger(field.min) || field.min < 0))
    at([...path, 'min'], 'a minimum string length must be a whole number ≥ 0');
}

function numberProblem(field: FieldSpec, value: number): string | undefined {
  if (!Number.isFinite(value)) return `${value} is not a finite number`;
  switch (field.type) {
    case 'integer':
      if (!Number.isInteger(value)) return `${value} is not a whole number (integer field)`;
      return value < INT32.min || value > INT32.max ? `${value} is outside the integer column range (${INT32.min} to ${INT32.max}); use type bigint` : undefined;
    case 'bigint':
      if (!Number.isInteger(value)) return `${value} is not a whole number (bigint field)`;
      // YAML and JSON numbers are doubles: beyond 2^53 the value written is not the value read.
      return Number.isSafeInteger(value) ? undefined : `${value} is beyond ±${Number.MAX_SAFE_INTEGER}, where a spec number loses precision`;
    case 'decimal': {
      const precision = field.precision ?? DEFAULT_DECIMAL.precision;
      const scale = field.scale ?? DEFAULT_DECIMAL.scale;
      const limit = 10 ** (precision - scale);
      if (Math.abs(value) >= limit)
        return `${value} does not fit numeric(${precision}, ${scale}): at most ${precision - scale} digit${precision - scale === 1 ? '' : 's'} before the decimal point`;
      const decimals = (String(value).split('.')[1] ?? '').length;
      return decimals > scale && !String(value).includes('e') ? `${value} has ${decimals} decimal places; the field keeps ${scale} (scale)` : undefined;
    }
    default:
      return undefined;
  }
}
