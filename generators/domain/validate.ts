/**
 * Meaning checks on a spec that already has the right shape: relations resolve, access patterns name
 * real columns, names do not collide with what the generator adds. Returns every issue, not the first.
 */
import type { InputIssue } from '../core/errors.js';
import { issueAt, type LocatedDocument, type PathSegment } from './located.js';
import { WHERE_ENTRY, type EntitySpec, type Spec } from './schema.js';
import { pluralize } from './words.js';
import { generatedIdentifierIssues, validateSpecConsistency } from './consistency.js';
import { validateServices } from './services.js';

/** Columns every table gets; a field may not redeclare them. */
export const AUDIT_COLUMNS = ['id', 'created_at', 'updated_at'] as const;
export const SOFT_DELETE_COLUMN = 'deleted_at';
/** Prefix of the read-model tables a service keeps of other services' entities (rm_<entity>). */
export const READ_MODEL_PREFIX = 'rm_';

const LENGTH_TYPES = new Set(['string', 'email']);
const NUMERIC_TYPES = new Set(['integer', 'bigint', 'decimal']);

/** What the spec checks need to know of the chosen blueprint (its manifest's tables and routes, its templates' identifiers). */
export interface BlueprintFacts {
  id: string;
  manifest: { tables: readonly string[]; routes: readonly string[] };
  identifiers: ReadonlySet<string>;
}

/**
 * Names that collide with what the chosen blueprint creates itself: a table (its manifest's `tables`),
 * a first route segment its API serves (`routes`: /auth, /health …; an entity's route is its plural), an
 * identifier its templates bind (generatedIdentifierIssues). Known only once the blueprint is, so the
 * planner and `new` ask (the spec's own checks above hold for every blueprint).
 */
export function blueprintSpecIssues(spec: Spec, blueprint: BlueprintFacts, file = 'spec'): InputIssue[] {
  const issues: InputIssue[] = [];
  const at = (path: PathSegment[], message: string) => issues.push({ file, path: path.join('.'), message });
  const { tables, routes } = blueprint.manifest;
  for (const name of Object.keys(spec.entities)) {
    if (tables.includes(name)) at(['entities', name], `"${name}" is a table the ${blueprint.id} blueprint creates itself; choose another entity name`);
    const route = pluralize(name);
    if (routes.includes(name) || routes.includes(route)) at(['entities', name], `"${name}" would collide with the ${blueprint.id} blueprint's built-in /${route} routes; choose another entity name`);
  }
  generatedIdentifierIssues(spec, blueprint.identifiers, blueprint.id, at);
  return issues;
}

export function validateSpecMeaning(spec: Spec, doc?: LocatedDocument, file = 'spec'): InputIssue[] {
  const issues: InputIssue[] = [];
  const at = (path: PathSegment[], message: string) =>
    issues.push(doc ? issueAt(doc, path, message) : { file, path: path.join('.'), message });
  const entityNames = Object.keys(spec.entities);
  const routeOwners = new Map<string, string>();

  for (const [entityName, entity] of Object.entries(spec.entities)) {
    const base: PathSegment[] = ['entities', entityName];
    if (entityName.startsWith(READ_MODEL_PREFIX))
      at(base, `"${entityName}": names starting with ${READ_MODEL_PREFIX} are the generator's read-model tables; choose another entity name`);
    const route = pluralize(entityName);
    const owner = routeOwners.get(route);
    if (owner) at(base, `"${entityName}" and "${owner}" would both be served at /${route}; rename one`);
    routeOwners.set(route, entityName);

    const columns = new Set<string>([...AUDIT_COLUMNS, ...Object.keys(entity.fields)]);
    if (entity.softDelete) columns.add(SOFT_DELETE_COLUMN);
    if (spec.tenancy && isTenantScoped(spec, entity)) columns.add(spec.tenancy.column);

    for (const [fieldName, field] of Object.entries(entity.fields)) {
      const fp = [...base, 'fields', fieldName];
      if ((AUDIT_COLUMNS as readonly string[]).includes(fieldName) || fieldName === SOFT_DELETE_COLUMN)
        at(fp, `"${fieldName}" is added by the generator to every table${fieldName === SOFT_DELETE_COLUMN ? ' with softDelete: true' : ''}; remove this field`);
      if (field.references !== undefined) {
        if (field.type !== 'uuid') at([...fp, 'type'], `a field with "references" must have type uuid (ids are uuids), got ${field.type}`);
        if (!entityNames.includes(field.references))
          at([...fp, 'references'], `unknown entity "${field.references}"; declared entities: ${entityNames.join(', ')}`);
      } else if (field.onDelete !== undefined) {
        at([...fp, 'onDelete'], 'onDelete only applies to a field with "references"');
      }
      if (field.onDelete === 'set-null' && !field.optional)
        at([...fp, 'onDelete'], 'onDelete: set-null needs optional: true (the column must accept NULL)');
      if (field.type === 'enum') {
        if (!field.values) at(fp, 'an enum field needs "values", e.g. values: [active, archived]');
        else if (new Set(field.values).size !== field.values.length) at([...fp, 'values'], 'enum values must be unique');
      } else if (field.values) at([...fp, 'values'], `"values" only applies to type enum, not ${field.type}`);
      if ((field.max !== undefined || field.min !== undefined) && !LENGTH_TYPES.has(field.type) && !NUMERIC_TYPES.has(field.type))
        at(fp, `"min"/"max" apply to string, email, integer, bigint and decimal fields, not ${field.type}`);
      if (field.min !== undefined && field.max !== undefined && field.min > field.max) at([...fp, 'min'], `min (${field.min}) is greater than max (${field.max})`);
      if (LENGTH_TYPES.has(field.type) && field.max !== undefined && (!Number.isInteger(field.max) || field.max < 1 || field.max > 10_485_760))
        at([...fp, 'max'], 'a string length must be an integer between 1 and 10485760');
      if ((field.precision !== undefined || field.scale !== undefined) && field.type !== 'decimal')
        at(fp, `"precision"/"scale" only apply to type decimal, not ${field.type}`);
      if (field.scale !== undefined && (field.precision ?? 12) < field.scale) at([...fp, 'scale'], 'scale must not exceed precision');
      if (field.default !== undefined) {
        const problem = defaultProblem(field.type, field.default, field.values);
        if (problem) at([...fp, 'default'], problem);
      }
      if (field.unique && (field.type === 'json' || field.type === 'text'))
        at([...fp, 'unique'], `unique is not supported on ${field.type} fields (unbounded values make a poor btree key)`);
    }

    const seenPatterns = new Set<string>();
    entity.access.forEach((pattern, i) => {
      const ap: PathSegment[] = [...base, 'access', i];
      if (pattern.where.length === 0 && !pattern.order) at(ap, 'an access pattern needs "where" columns, an "order", or both');
      const whereColumns = pattern.where.map((entry) => parseWhereEntry(entry).column);
      whereColumns.forEach((col, j) => {
        if (!columns.has(col)) at([...ap, 'where', j], `unknown column "${col}" on ${entityName}; columns: ${[...columns].join(', ')}`);
        else if (entity.fields[col]?.type === 'json' && parseWhereEntry(pattern.where[j]!).isNull === null)
          at([...ap, 'where', j], `"${col}" is a json field; equality filters on json are not indexable with btree`);
      });
      if (new Set(whereColumns).size !== whereColumns.length) at([...ap, 'where'], 'a column appears twice in "where"');
      if (pattern.order) {
        const [col = ''] = pattern.order.split(' ');
        if (!columns.has(col)) at([...ap, 'order'], `unknown column "${col}" on ${entityName}; columns: ${[...columns].join(', ')}`);
        else if (pattern.where.includes(col)) at([...ap, 'order'], `"${col}" is already an equality filter; sorting by it does nothing`);
        else if (entity.fields[col]?.type === 'json') at([...ap, 'order'], `"${col}" is a json field and cannot be sorted on`);
      }
      const key = `${pattern.where.join(',')}|${pattern.order ?? ''}`;
      if (seenPatterns.has(key)) at(ap, 'duplicate access pattern (same where and order as an earlier one)');
      seenPatterns.add(key);
    });
  }

  for (const [entityName, entity] of Object.entries(spec.entities)) {
    const base: PathSegment[] = ['entities', entityName];
    const columns = new Set<string>([...AUDIT_COLUMNS, ...Object.keys(entity.fields)]);
    if (spec.tenancy && isTenantScoped(spec, entity)) columns.add(spec.tenancy.column);
    validateNullChecks(entityName, entity, base, at);
    validateCompositeUniques(entity, columns, base, at);
    validateAppendOnly(entity, base, at);
  }
  validateTenancy(spec, at);

  for (const [jobName, job] of Object.entries(spec.jobs)) {
    if (!entityNames.includes(job.entity))
      at(['jobs', jobName, 'entity'], `unknown entity "${job.entity}"; declared entities: ${entityNames.join(', ')}`);
  }
  const cycle = findReferenceCycle(spec);
  if (cycle) at(['entities', cycle[0] ?? ''], `references form a cycle (${cycle.join(' → ')}); break it by making one side a plain uuid field`);
  validateSpecConsistency(spec, at);
  validateServices(spec, at);
  return issues;
}

/** `returned_at is null` → { column: 'returned_at', isNull: true }; a plain column → isNull: null (equality). */
export function parseWhereEntry(entry: string): { column: string; isNull: boolean | null } {
  const match = WHERE_ENTRY.exec(entry);
  if (!match?.[2]) return { column: match?.[1] ?? entry, isNull: null };
  return { column: match[1]!, isNull: match[3] === undefined };
}

type At = (path: PathSegment[], message: string) => void;

/** `is null` / `is not null` only make sense on a column that can be NULL: an optional field. */
function validateNullChecks(entityName: string, entity: EntitySpec, base: PathSegment[], at: At): void {
  entity.access.forEach((pattern, i) => {
    pattern.where.forEach((entry, j) => {
      const { column, isNull } = parseWhereEntry(entry);
      if (isNull === null) return;
      const field = entity.fields[column];
      if (column === SOFT_DELETE_COLUMN) at([...base, 'access', i, 'where', j], `"${SOFT_DELETE_COLUMN}" is handled by softDelete: every list already skips deleted rows`);
      else if (field && !field.optional)
        at([...base, 'access', i, 'where', j], `"${column}" is required (NOT NULL) on ${entityName}, so "${entry}" is ${isNull ? 'never' : 'always'} true; make the field optional or remove the condition`);
    });
  });
}

/** Composite unique constraints name real, distinct, indexable columns, and are not declared twice. */
function validateCompositeUniques(entity: EntitySpec, columns: Set<string>, base: PathSegment[], at: At): void {
  const seen = new Set<string>();
  entity.unique.forEach((group, i) => {
    const path = [...base, 'unique', i];
    group.forEach((col, j) => {
      if (!columns.has(col)) at([...path, j], `unknown column "${col}"; columns: ${[...columns].join(', ')}`);
      else if (entity.fields[col]?.type === 'json' || entity.fields[col]?.type === 'text')
        at([...path, j], `"${col}" is a ${entity.fields[col]!.type} field; unbounded values make a poor unique key`);
    });
    if (new Set(group).size !== group.length) at(path, 'a column appears twice in this unique constraint');
    const key = [...group].sort().join(',');
    if (seen.has(key)) at(path, 'duplicate unique constraint (same columns as an earlier one)');
    seen.add(key);
  });
}

/**
 * An append-only entity keeps every row as written: no soft delete (that is an UPDATE), and no
 * reference that would make the database change or remove its rows (cascade / set-null).
 */
function validateAppendOnly(entity: EntitySpec, base: PathSegment[], at: At): void {
  if (!entity.appendOnly) return;
  if (entity.softDelete) at([...base, 'softDelete'], 'an appendOnly entity cannot be soft-deleted (soft delete updates the row); remove one of the two');
  for (const [name, field] of Object.entries(entity.fields)) {
    if (field.references && field.onDelete !== undefined && field.onDelete !== 'restrict')
      at([...base, 'fields', name, 'onDelete'], `an appendOnly entity's rows are never changed or removed, so onDelete: ${field.onDelete} would be refused; use restrict (the default)`);
  }
}

/** Is the entity's data owned by a tenant (tenancy declared, and the entity did not opt out)? */
export function isTenantScoped(spec: Pick<Spec, 'tenancy'>, entity: Pick<EntitySpec, 'tenant'>): boolean {
  return spec.tenancy !== undefined && entity.tenant !== false;
}

/**
 * Tenancy: the tenant column is the generator's (set from the token, never from a body), `tenant:` on an
 * entity needs a top-level `tenancy`, and a shared entity cannot point at a tenant's row (every tenant
 * would see a reference to data it may not read).
 */
function validateTenancy(spec: Spec, at: At): void {
  const reserved = [...AUDIT_COLUMNS, SOFT_DELETE_COLUMN];
  if (spec.tenancy && reserved.includes(spec.tenancy.column))
    at(['tenancy', 'column'], `"${spec.tenancy.column}" is a column the generator adds to every table; name the tenant column something else, e.g. tenant_id`);
  for (const [entityName, entity] of Object.entries(spec.entities)) {
    const base: PathSegment[] = ['entities', entityName];
    if (!spec.tenancy) {
      if (entity.tenant !== undefined)
        at([...base, 'tenant'], '"tenant" only applies with multi-tenancy: declare `tenancy: { column: tenant_id }` at the top level of the spec, or remove it');
      continue;
    }
    const column = spec.tenancy.column;
    const scoped = isTenantScoped(spec, entity);
    if (scoped && entity.fields[column])
      at([...base, 'fields', column], `"${column}" is the tenancy column: the generator adds it to every tenant-owned table and fills it from the caller's token; remove this field (or set tenant: false on ${entityName})`);
    entity.access.forEach((pattern, i) => {
      const j = pattern.where.findIndex((w) => parseWhereEntry(w).column === column);
      if (scoped && j >= 0)
        at([...base, 'access', i, 'where', j], `every ${entityName} query is already scoped to the caller's tenant (indexes lead with ${column}); remove "${column}" from where`);
      if (scoped && pattern.order?.split(' ')[0] === column)
        at([...base, 'access', i, 'order'], `a list only ever holds the caller's tenant, so ordering by "${column}" does nothing`);
    });
    for (const [fieldName, field] of Object.entries(entity.fields)) {
      const parent = field.references ? spec.entities[field.references] : undefined;
      if (!scoped && parent && isTenantScoped(spec, parent))
        at([...base, 'fields', fieldName, 'references'], `${entityName} is shared by every tenant (tenant: false) but references ${field.references}, whose rows belong to one tenant; make ${entityName} tenant-owned or drop the reference`);
    }
  }
}

function defaultProblem(type: string, value: string | number | boolean, values?: string[]): string | undefined {
  switch (type) {
    case 'integer':
    case 'bigint':
      return Number.isInteger(value) ? undefined : `expected an integer default for type ${type}, got ${JSON.stringify(value)}`;
    case 'decimal':
      return typeof value === 'number' ? undefined : `expected a number default for type decimal, got ${JSON.stringify(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${JSON.stringify(value)}`;
    case 'enum':
      return values && !values.includes(String(value)) ? `default "${value}" is not one of the values: ${values.join(', ')}` : undefined;
    case 'string':
    case 'text':
    case 'email':
      return typeof value === 'string' ? undefined : `expected a string default, got ${JSON.stringify(value)}`;
    case 'timestamp':
    case 'date':
      return value === 'now' ? undefined : `the only supported default for ${type} is "now"`;
    default:
      return `defaults are not supported on ${type} fields`;
  }
}

/** References between distinct entities must form a DAG so tables can be created in order. */
function findReferenceCycle(spec: Spec): string[] | undefined {
  const edges = (name: string) =>
    Object.values(spec.entities[name]?.fields ?? {})
      .map((f) => f.references)
      .filter((r): r is string => r !== undefined && r !== name && r in spec.entities);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of edges(name)) {
      const found = visit(next);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(spec.entities)) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
