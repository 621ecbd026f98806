/**
 * Index derivation — the heart of the product. Every index exists because a query needs it, and says
 * which one:
 *  - one per foreign key (the FK check on a parent delete, and joins from child to parent);
 *  - one per declared access pattern: equality columns first (in declared order), then the sort column
 *    in its direction, then id as the keyset tiebreaker — so the list query is an index range scan
 *    that needs no sort step; partial (WHERE deleted_at IS NULL) on soft-deleted tables, because every
 *    list query skips deleted rows;
 *  - one partial unique index per unique field on soft-deleted tables (deleted rows do not hold a value).
 */
import type { AccessPatternSpec, EntitySpec } from '../domain/schema.js';
import { quoteIdent } from '../domain/sql-names.js';
import type { IndexPlan, SortPlan } from './types.js';

const PG_MAX_IDENTIFIER = 63;
export const LIVE_ROWS = 'deleted_at IS NULL';

export interface NormalizedPattern {
  where: string[];
  order: { column: string; direction: 'asc' | 'desc' };
}

/** An access pattern without an order is served in the default list order (created_at desc). */
export function normalizePattern(pattern: AccessPatternSpec): NormalizedPattern {
  const [column = 'created_at', dir] = (pattern.order ?? 'created_at desc').split(' ');
  return { where: pattern.where, order: { column, direction: dir === 'desc' ? 'desc' : 'asc' } };
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
    orderBySql: `${columnSql} ${dir}, id ${dir}`,
    cursorOp: order.direction === 'desc' ? '<' : '>',
    castType,
  };
}

export function describeListQuery(routePrefix: string, pattern: NormalizedPattern): string {
  const params = [...pattern.where.map((c) => `${c}=…`), `sort=${pattern.order.column}:${pattern.order.direction}`];
  return `GET ${routePrefix}?${params.join('&')}`;
}

export function accessPatternIndex(entityName: string, table: string, routePrefix: string, softDelete: boolean, pattern: NormalizedPattern): IndexPlan {
  const dir = pattern.order.direction.toUpperCase();
  const columns = [...pattern.where, pattern.order.column, 'id'];
  const columnsSql = [...pattern.where.map(quoteIdent), `${quoteIdent(pattern.order.column)} ${dir}`, `id ${dir}`].join(', ');
  const where = softDelete ? LIVE_ROWS : null;
  const name = indexName(entityName, [...pattern.where, pattern.order.column, pattern.order.direction], 'idx');
  const httpQuery = describeListQuery(routePrefix, pattern);
  const filter = pattern.where.length ? `filtered by ${pattern.where.join(' and ')}` : 'unfiltered';
  return {
    name,
    kind: 'access-pattern',
    table,
    columnsSql,
    columns,
    where,
    unique: false,
    serves: `${httpQuery} — ${entityName} list ${filter}, ordered by ${pattern.order.column} ${pattern.order.direction} (keyset on ${pattern.order.column}, id)${softDelete ? ', live rows only' : ''}`,
    sql: createIndexSql(name, table, columnsSql, where, false),
    accessPattern: { where: pattern.where, order: pattern.order, httpQuery },
  };
}

export function foreignKeyIndex(entityName: string, table: string, column: string, parent: string): IndexPlan {
  const name = indexName(entityName, [column], 'fk_idx');
  const columnsSql = quoteIdent(column);
  return {
    name,
    kind: 'foreign-key',
    table,
    columnsSql,
    columns: [column],
    // Not partial: the FK check on a parent delete must see soft-deleted children too.
    where: null,
    unique: false,
    serves: `foreign key ${entityName}.${column} → ${parent}.id: the referential check when a ${parent} is deleted, and joins from ${entityName} to ${parent}`,
    sql: createIndexSql(name, table, columnsSql, null, false),
    accessPattern: null,
  };
}

export function softDeleteUniqueIndex(entityName: string, table: string, column: string): IndexPlan {
  const name = indexName(entityName, [column], 'live_key');
  const columnsSql = quoteIdent(column);
  return {
    name,
    kind: 'unique',
    table,
    columnsSql,
    columns: [column],
    where: LIVE_ROWS,
    unique: true,
    serves: `uniqueness of ${entityName}.${column} among live rows (a soft-deleted row frees its value), and lookups by ${column}`,
    sql: createIndexSql(name, table, columnsSql, LIVE_ROWS, true),
    accessPattern: null,
  };
}

/** All indexes for one entity, FK indexes first, then access patterns in declared order. */
export function entityIndexes(entityName: string, entity: EntitySpec, table: string, routePrefix: string): IndexPlan[] {
  const indexes: IndexPlan[] = [];
  const patterns = entity.access.map(normalizePattern);
  for (const [column, field] of Object.entries(entity.fields)) {
    if (!field.references) continue;
    // A full (non-partial) access-pattern index that leads with the FK column already backs the FK check.
    const coveredBy = entity.softDelete ? undefined : patterns.find((p) => p.where[0] === column);
    if (!coveredBy) indexes.push(foreignKeyIndex(entityName, table, column, field.references));
  }
  for (const [column, field] of Object.entries(entity.fields)) {
    if (field.unique && entity.softDelete) indexes.push(softDeleteUniqueIndex(entityName, table, column));
  }
  for (const pattern of patterns) {
    const index = accessPatternIndex(entityName, table, routePrefix, entity.softDelete, pattern);
    const fk = pattern.where[0] !== undefined && !entity.softDelete ? entity.fields[pattern.where[0]]?.references : undefined;
    if (fk) index.serves += `; also backs the foreign key ${entityName}.${pattern.where[0]} → ${fk}.id (leading column)`;
    indexes.push(index);
  }
  return indexes;
}
