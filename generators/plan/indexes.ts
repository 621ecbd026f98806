/**
 * Index derivation — the heart of the product. Every index exists because a query needs it, and says
 * which one:
 *  - one per foreign key (the FK check on a parent delete, and joins from child to parent);
 *  - one per declared access pattern: equality columns first (in declared order), then the sort column
 *    in its direction, then id as the keyset tiebreaker — so the list query is an index range scan
 *    that needs no sort step; partial (WHERE deleted_at IS NULL) on soft-deleted tables, because every
 *    list query skips deleted rows;
 *  - `column is [not] null` conditions make the index partial on them (the rows the query never reads
 *    are not in the index), and a nullable sort column is ordered NULLS LAST in the index and the query;
 *  - one per list order the API offers without a filter (the plain list in the default order, and each
 *    declared sort on its own), unless another index already serves it;
 *  - one partial unique index per unique field on soft-deleted tables (deleted rows do not hold a value),
 *    and one unique index per composite unique constraint (partial on soft-deleted tables);
 *  - on tenant-owned tables (spec `tenancy`) every query is scoped to one tenant, so the tenant column
 *    leads every list and unique index (uniqueness holds within a tenant), and foreign keys between
 *    tenant-owned tables are composite (tenant, column) → (tenant, id), backed by a (tenant, id) index.
 */
import type { AccessPatternSpec, EntitySpec } from '../domain/schema.js';
import { quoteIdent } from '../domain/sql-names.js';
import { parseWhereEntry } from '../domain/validate.js';
import type { IndexPlan, NullCheck, SortPlan } from './types.js';

const PG_MAX_IDENTIFIER = 63;
export const LIVE_ROWS = 'deleted_at IS NULL';

export interface NormalizedPattern {
  /** Equality columns. */
  where: string[];
  /** `column IS [NOT] NULL` conditions. */
  nullChecks: NullCheck[];
  /** `nullable`: the sort column can be NULL, so NULLs are placed last (in the index and the query). */
  order: { column: string; direction: 'asc' | 'desc'; nullable: boolean };
}

/** An access pattern without an order is served in the default list order (created_at desc). */
export function normalizePattern(pattern: AccessPatternSpec, entity: EntitySpec): NormalizedPattern {
  const [column = 'created_at', dir] = (pattern.order ?? 'created_at desc').split(' ');
  const entries = pattern.where.map(parseWhereEntry);
  return {
    where: entries.filter((e) => e.isNull === null).map((e) => e.column),
    nullChecks: entries.filter((e) => e.isNull !== null).map((e) => ({ column: e.column, isNull: e.isNull === true })),
    order: { column, direction: dir === 'desc' ? 'desc' : 'asc', nullable: entity.fields[column]?.optional === true },
  };
}

/** `"due_at" DESC NULLS LAST`: the sort key as printed in an index or an ORDER BY. */
export function sortKeySql(order: NormalizedPattern['order']): string {
  return `${quoteIdent(order.column)} ${order.direction.toUpperCase()}${order.nullable ? ' NULLS LAST' : ''}`;
}

export function nullCheckSql(check: NullCheck): string {
  return `${quoteIdent(check.column)} IS ${check.isNull ? '' : 'NOT '}NULL`;
}

export function indexName(table: string, columns: string[], suffix: string): string {
  const name = `${table}_${columns.join('_')}_${suffix}`;
  if (name.length <= PG_MAX_IDENTIFIER) return name;
  // Keep names deterministic and within PostgreSQL's limit: truncate and add a short stable hash.
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${name.slice(0, PG_MAX_IDENTIFIER - 8)}_${hash.toString(36).slice(0, 7)}`;
}

function createIndexSql(name: string, table: string, columnsSql: string, where: string | null, unique: boolean): string {
  return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${name} ON ${table} (${columnsSql})${where ? ` WHERE ${where}` : ''};`;
}

export function sortFor(order: NormalizedPattern['order'], castType: string): SortPlan {
  const dir = order.direction.toUpperCase();
  const columnSql = quoteIdent(order.column);
  return {
    key: `${order.column}:${order.direction}`,
    column: order.column,
    columnSql,
    direction: order.direction,
    nullable: order.nullable,
    orderBySql: `${sortKeySql(order)}, id ${dir}`,
    cursorOp: order.direction === 'desc' ? '<' : '>',
    castType,
  };
}

export function describeListQuery(routePrefix: string, pattern: NormalizedPattern): string {
  const params = [
    ...pattern.where.map((c) => `${c}=…`),
    ...pattern.nullChecks.map((c) => `${c.column}=${c.isNull ? 'null' : '!null'}`),
    `sort=${pattern.order.column}:${pattern.order.direction}`,
  ];
  return `GET ${routePrefix}?${params.join('&')}`;
}

export function accessPatternIndex(
  entityName: string,
  table: string,
  routePrefix: string,
  softDelete: boolean,
  pattern: NormalizedPattern,
  purpose?: string,
  tenant: string | null = null,
): IndexPlan {
  const dir = pattern.order.direction.toUpperCase();
  // A tenant-owned table's every list query is `tenant = $1 AND …`: the tenant column leads.
  const lead = tenant ? [tenant] : [];
  const columns = [...lead, ...pattern.where, pattern.order.column, 'id'];
  const columnsSql = [...[...lead, ...pattern.where].map(quoteIdent), sortKeySql(pattern.order), `id ${dir}`].join(', ');
  const conditions = [...pattern.nullChecks.map(nullCheckSql), ...(softDelete ? [LIVE_ROWS] : [])];
  const where = conditions.length ? conditions.join(' AND ') : null;
  const nameParts = [...lead, ...pattern.where, ...pattern.nullChecks.map((c) => `${c.column}_${c.isNull ? 'null' : 'set'}`), pattern.order.column, pattern.order.direction];
  const name = indexName(entityName, nameParts, 'idx');
  const httpQuery = describeListQuery(routePrefix, pattern);
  const filters = [...pattern.where, ...pattern.nullChecks.map((c) => `${c.column} ${c.isNull ? 'is null' : 'is not null'}`)];
  const filter = filters.length ? `filtered by ${filters.join(' and ')}` : 'unfiltered';
  const nulls = pattern.order.nullable ? `, NULLs last` : '';
  const partial = [...pattern.nullChecks.map(nullCheckSql), ...(softDelete ? ['live rows only'] : [])];
  return {
    name,
    kind: 'access-pattern',
    table,
    columnsSql,
    columns,
    where,
    unique: false,
    serves: `${httpQuery} — ${purpose ?? `${entityName} list ${filter}`}, ordered by ${pattern.order.column} ${pattern.order.direction}${nulls} (keyset on ${pattern.order.column}, id)${partial.length ? `; partial: ${partial.join(', ')}` : ''}${tenant ? `; within the caller's tenant (${tenant} leads)` : ''}`,
    sql: createIndexSql(name, table, columnsSql, where, false),
    accessPattern: { where: [...lead, ...pattern.where], nullChecks: pattern.nullChecks, order: pattern.order, httpQuery },
  };
}

/** Composite uniqueness (`unique: [[a, b]]`); partial on soft-deleted tables, so a deleted row frees its values. */
export function compositeUniqueIndex(entityName: string, table: string, declared: string[], softDelete: boolean, tenant: string | null = null): IndexPlan {
  // Tenant-owned: unique within a tenant (two tenants may both have a "main" project), tenant first.
  const columns = tenant ? [tenant, ...declared.filter((c) => c !== tenant)] : declared;
  return uniqueIndex(
    indexName(entityName, columns, softDelete ? 'live_key' : 'key'),
    table,
    columns,
    softDelete ? LIVE_ROWS : null,
    `uniqueness of (${columns.join(', ')}) on ${entityName}${softDelete ? ' among live rows (a soft-deleted row frees its values)' : ''}: a duplicate write is a 409 naming these fields; also lookups by ${columns.slice(0, tenant ? 2 : 1).join(', ')}`,
  );
}

/** A unique index on `columns` (partial when `where` is given), saying what it serves. */
function uniqueIndex(name: string, table: string, columns: string[], where: string | null, serves: string): IndexPlan {
  const columnsSql = columns.map(quoteIdent).join(', ');
  return { name, kind: 'unique', table, columnsSql, columns, where, unique: true, serves, sql: createIndexSql(name, table, columnsSql, where, true), accessPattern: null };
}

/**
 * The list orders the API offers without a filter: the plain list (default order, created_at desc) and
 * each declared order on its own (`?sort=` with no filter). Each gets an unfiltered index unless an
 * unfiltered access pattern already declares it.
 */
export function sortIndexes(entityName: string, entity: EntitySpec, table: string, routePrefix: string, patterns: NormalizedPattern[], tenant: string | null = null): IndexPlan[] {
  // A B-tree scans both ways: (c DESC, id DESC) also serves c ASC, id ASC. With NULLS LAST in both
  // directions a nullable column's reverse scan would put NULLs first, so there the direction counts.
  const key = (o: NormalizedPattern['order']) => (o.nullable ? `${o.column}:${o.direction}` : o.column);
  const unfiltered = (p: NormalizedPattern) => p.where.length === 0 && p.nullChecks.length === 0;
  const served = new Set(patterns.filter(unfiltered).map((p) => key(p.order)));
  const indexes: IndexPlan[] = [];
  const defaultOrder = { column: 'created_at', direction: 'desc' as const, nullable: false };
  for (const order of [defaultOrder, ...patterns.map((p) => p.order)]) {
    if (served.has(key(order))) continue;
    served.add(key(order));
    const purpose =
      order === defaultOrder
        ? `the plain ${entityName} list (no filter, default order)`
        : `the ${entityName} list sorted by ${order.column}:${order.direction} without a filter${order.nullable ? '' : ' (and, scanned backwards, the opposite direction)'}`;
    indexes.push(accessPatternIndex(entityName, table, routePrefix, entity.softDelete, { where: [], nullChecks: [], order }, purpose, tenant));
  }
  return indexes;
}

export function foreignKeyIndex(entityName: string, table: string, column: string, parent: string, tenant: string | null = null): IndexPlan {
  const columns = tenant ? [tenant, column] : [column];
  const name = indexName(entityName, columns, 'fk_idx');
  const columnsSql = columns.map(quoteIdent).join(', ');
  const key = tenant ? `(${tenant}, ${column}) → ${parent}(${tenant}, id)` : `${entityName}.${column} → ${parent}.id`;
  return {
    name,
    kind: 'foreign-key',
    table,
    columnsSql,
    columns,
    // Not partial: the FK check on a parent delete must see soft-deleted children too.
    where: null,
    unique: false,
    serves: `foreign key ${key}: the referential check when a ${parent} is deleted, and joins from ${entityName} to ${parent}`,
    sql: createIndexSql(name, table, columnsSql, null, false),
    accessPattern: null,
  };
}

/**
 * A unique field enforced by an index rather than a column constraint: among live rows on soft-deleted
 * tables (a deleted row frees its value), within the tenant on tenant-owned tables.
 */
export function fieldUniqueIndex(entityName: string, table: string, column: string, softDelete: boolean, tenant: string | null): IndexPlan {
  const columns = tenant ? [tenant, column] : [column];
  const scope = [softDelete ? 'among live rows (a soft-deleted row frees its value)' : '', tenant ? `within a tenant (${tenant} leads)` : ''].filter(Boolean).join(', ');
  const serves = `uniqueness of ${entityName}.${column} ${scope}, and lookups by ${column}`;
  return uniqueIndex(indexName(entityName, columns, softDelete ? 'live_key' : 'key'), table, columns, softDelete ? LIVE_ROWS : null, serves);
}

/**
 * (tenant, id) is unique already (id is); this index lets tenant-owned children reference it with a
 * composite foreign key, so the database refuses a row pointing at another tenant's parent.
 */
export function tenantKeyIndex(entityName: string, table: string, tenant: string, children: string[]): IndexPlan {
  const columns = [tenant, 'id'];
  const serves = `the composite foreign keys of ${children.join(', ')} → ${entityName}(${tenant}, id): a row can only reference a ${entityName} of its own tenant`;
  return uniqueIndex(indexName(entityName, columns, 'key'), table, columns, null, serves);
}

export interface TenantIndexing {
  /** The tenant column when the entity is tenant-owned, else null. */
  column: string | null;
  /** Entities whose foreign keys include the tenant column (both ends tenant-owned). */
  scopedParents: Set<string>;
  /** Tenant-owned entities referencing this one with a composite key (the parent side needs (tenant, id) unique). */
  scopedChildren: string[];
}

const NO_TENANT: TenantIndexing = { column: null, scopedParents: new Set(), scopedChildren: [] };

/** All indexes for one entity, FK indexes first, then access patterns in declared order. */
export function entityIndexes(entityName: string, entity: EntitySpec, table: string, routePrefix: string, tenancy: TenantIndexing = NO_TENANT): IndexPlan[] {
  const indexes: IndexPlan[] = [];
  const tenant = tenancy.column;
  const patterns = entity.access.map((p) => normalizePattern(p, entity));
  if (tenant && tenancy.scopedChildren.length > 0) indexes.push(tenantKeyIndex(entityName, table, tenant, tenancy.scopedChildren));
  for (const [column, field] of Object.entries(entity.fields)) {
    if (!field.references) continue;
    // A full (non-partial) access-pattern index that leads with the FK column(s) already backs the FK check.
    // A tenant-owned table's pattern indexes lead with the tenant, so they cover only a composite key.
    const composite = tenant !== null && tenancy.scopedParents.has(field.references);
    const coveredBy = entity.softDelete || (tenant && !composite) ? undefined : patterns.find((p) => p.where[0] === column && p.nullChecks.length === 0);
    if (!coveredBy) indexes.push(foreignKeyIndex(entityName, table, column, field.references, composite ? tenant : null));
  }
  for (const [column, field] of Object.entries(entity.fields)) {
    if (field.unique && (entity.softDelete || tenant)) indexes.push(fieldUniqueIndex(entityName, table, column, entity.softDelete, tenant));
  }
  for (const columns of entity.unique) indexes.push(compositeUniqueIndex(entityName, table, columns, entity.softDelete, tenant));
  for (const pattern of patterns) {
    const index = accessPatternIndex(entityName, table, routePrefix, entity.softDelete, pattern, undefined, tenant);
    const fk = pattern.where[0] !== undefined && !entity.softDelete && pattern.nullChecks.length === 0 ? entity.fields[pattern.where[0]]?.references : undefined;
    if (fk && (!tenant || tenancy.scopedParents.has(fk)))
      index.serves += tenant
        ? `; also backs the foreign key (${tenant}, ${pattern.where[0]}) → ${fk}(${tenant}, id) (leading columns)`
        : `; also backs the foreign key ${entityName}.${pattern.where[0]} → ${fk}.id (leading column)`;
    indexes.push(index);
  }
  indexes.push(...sortIndexes(entityName, entity, table, routePrefix, patterns, tenant));
  return indexes;
}
