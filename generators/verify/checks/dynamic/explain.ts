import { fail, pass, seed, skip, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import type { PgClient } from '../../dynamic/runtime.js';
import type { EntityPlan, NullCheck } from '../../../plan/types.js';

/** The two volumes the page query is planned at: its cost must not grow with the table. */
export const VOLUMES = { small: 20_000, large: 200_000 } as const;
/**
 * Allowed cost growth from the small to the large volume, beyond the growth of the page itself: the
 * table grows 10×; a page served by its index costs about the rows it returns (at most LIMIT), so its
 * cost may follow min(matching rows, LIMIT) — 1 matching row at 20k and 10 at 200k is a bigger page,
 * not a slower query — but nothing more than this factor on top.
 */
export const MAX_COST_GROWTH = 3;
const PAGE = 21;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Total Cost'?: number;
  Plans?: PlanNode[];
}

const INDEX_NODES = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);

interface Observed {
  nodes: PlanNode[];
  cost: number;
  text: string[];
  /** Rows the filter matches (the page holds min(matches, PAGE)). */
  matches: number;
}

/**
 * Migrations applied to a fresh database by the project's runner; the tables seeded (optional columns
 * NULL in one row of seven), and each list query — every access pattern (with its `is [not] null`
 * conditions, NULLS LAST on a nullable sort column), each sort the API offers without a filter —
 * EXPLAINed as its page (LIMIT 21) at two volumes. What is
 * judged is what matters, not one node type: the plan reaches the rows through an index that serves
 * the pattern (any index access: Index Scan, Index Only Scan, Bitmap Index Scan — a Bitmap scan with a
 * small Sort is right when few rows match), it never reads the whole table, and the page's estimated
 * cost does not grow with the table (at most ×MAX_COST_GROWTH from 20k to 200k rows).
 */
export const explainAccessPatterns: Check = {
  id: 'dynamic.explain-access-patterns',
  title: `Each access pattern's page query uses its index, reads no whole table, and costs the same at ${VOLUMES.small.toLocaleString('en')} and ${VOLUMES.large.toLocaleString('en')} rows`,
  seed: seed('s004', 'Database Design & Optimization: optimize queries using EXPLAIN plans'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const plan = ctx.project.plan;
      const patterned = plan.entities.filter((e) => e.indexes.some((i) => i.accessPattern));
      if (patterned.length === 0) return skip('The spec declares no access patterns');
      // One database, or one per service (each seeded with its own entities' tables).
      const databases = await rt.migratedDatabases('explain');
      const problems: Evidence[] = [];
      const ok: Evidence[] = [];
      // The fix depends on what the catalog holds: never tell the user to add an index that exists.
      const fixes = new Set<string>();
      const t0 = Date.now();
      let seedMs = 0;
      for (const database of databases) {
        const entities = plan.entities.filter((e) => database.entities.includes(e.name));
        const db = await rt.pgClient(database.url);
        try {
          const tenant = plan.tenancy?.column ?? null;
          for (const e of entities) await seedTable(db, e, 1, VOLUMES.small, tenant);
          await db.query('ANALYZE');
          const queries: { e: EntityPlan; label: string; query: string; count: string; where: string[]; order: string; small?: Observed }[] = [];
          for (const e of entities) {
            for (const l of listQueries(e, tenant)) {
              const live = e.softDelete ? ' AND deleted_at IS NULL' : '';
              const cols = l.where.map((c) => `"${c}"`);
              const sample = (await db.query<Record<string, string>>(`SELECT ${l.where.length ? l.where.map((c, i) => `quote_literal("${c}"::text) AS v${i}`).join(', ') : '1 AS v'} FROM ${e.table} WHERE true${live} OFFSET 777 LIMIT 1`)).rows[0] ?? {};
              const where = [
                ...cols.map((c, i) => `${c} = ${sample[`v${i}`] ?? 'NULL'}`),
                ...l.nullChecks.map((c) => `"${c.column}" IS ${c.isNull ? '' : 'NOT '}NULL`),
                ...(e.softDelete ? ['deleted_at IS NULL'] : []),
              ];
              const filter = where.length ? ` WHERE ${where.join(' AND ')}` : '';
              const query = `SELECT * FROM ${e.table}${filter} ORDER BY ${l.orderBy} LIMIT 21`;
              queries.push({ e, label: `${e.name}: ${l.httpQuery}`, query, count: `SELECT count(*)::int AS n FROM ${e.table}${filter}`, where: l.where.length ? l.where : [l.orderColumn], order: l.orderColumn });
            }
          }
          for (const q of queries) q.small = await observe(db, q.query, q.count);
          for (const e of patterned.filter((x) => entities.includes(x))) await seedTable(db, e, VOLUMES.small + 1, VOLUMES.large, tenant);
          await db.query('ANALYZE');
          seedMs = Date.now() - t0;
          for (const q of queries) {
            const large = await observe(db, q.query, q.count);
            const small = q.small!;
            const indexes = await indexesLeadingWith(db, q.e.tableName, q.where);
            const serving = indexes.map((i) => i.name);
            // An index that also continues with the sort column serves the whole pattern (filter and order).
            const complete = indexes.filter((i) => i.cols[q.where.length] === q.order || q.where[0] === q.order).map((i) => i.name);
            const used = [...small.nodes, ...large.nodes].filter((n) => INDEX_NODES.has(n['Node Type']) && n['Index Name']);
            const usesServing = (o: Observed) => o.nodes.some((n) => INDEX_NODES.has(n['Node Type']) && serving.includes(n['Index Name'] ?? ''));
            const wholeTable = (o: Observed) => o.nodes.some((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === q.e.tableName);
            const growth = small.cost > 0 ? large.cost / small.cost : 1;
            const pageGrowth = Math.max(1, Math.min(large.matches, PAGE)) / Math.max(1, Math.min(small.matches, PAGE));
            const allowed = MAX_COST_GROWTH * pageGrowth;
            const faults: string[] = [];
            // The planner may prefer another index when the filter matches a large share of the rows (a
            // boolean, say): that is right as long as the pattern's own index exists and the page stays
            // cheap as the table grows. Without an index serving the filter, it is a fault whatever the plan.
            const preferredOther = serving.length > 0 && growth <= allowed && !wholeTable(small) && !wholeTable(large) && used.length > 0;
            if ((!usesServing(small) || !usesServing(large)) && !preferredOther) faults.push(`no index access on an index serving (${q.where.join(', ')})${used.length ? ` (uses ${[...new Set(used.map((n) => n['Index Name']))].join(', ')})` : ''}`);
            if (wholeTable(small) || wholeTable(large)) faults.push(`reads the whole table (Seq Scan on ${q.e.tableName})`);
            if (growth > allowed) faults.push(`the page's cost grows ×${growth.toFixed(1)} from ${VOLUMES.small} to ${VOLUMES.large} rows (${small.cost.toFixed(1)} → ${large.cost.toFixed(1)}; the page itself grows ×${pageGrowth.toFixed(1)}, ${small.matches} → ${large.matches} matching rows)`);
            const figure = `cost ${small.cost.toFixed(1)} at ${VOLUMES.small} rows → ${large.cost.toFixed(1)} at ${VOLUMES.large} (×${growth.toFixed(2)}; matching rows ${small.matches} → ${large.matches})`;
            if (faults.length === 0) ok.push({ text: `${q.label} → ${planLine(large, q.e.tableName)}; ${figure}` });
            else {
              problems.push({ text: `${q.label}: ${faults.join('; ')}\n${q.query}\nat ${VOLUMES.large} rows:\n${large.text.join('\n')}` });
              fixes.add(
                complete.length
                  ? `${q.e.tableName}: the index ${complete.join(', ')} exists and serves (${[...q.where, q.order].join(', ')}), but the planner does not use it for this query — make the list query match it (equality columns, then the sort column and id in the index's direction; for soft delete the same deleted_at IS NULL predicate), or REINDEX it if it is invalid`
                  : `${q.e.tableName}: no index leads with (${[...new Set([...q.where, q.order])].join(', ')}) — add the access pattern's index (equality columns, then the sort column and id; partial on deleted_at IS NULL for soft delete) in a new migration`,
              );
            }
          }
        } finally {
          await db.end();
        }
      }
      const figures = { smallRows: VOLUMES.small, largeRows: VOLUMES.large, seedMs };
      if (problems.length) return fail(`${problems.length} access pattern(s) not served by their index`, problems, [...fixes].join('. '), figures);
      return pass(`${ok.length} access pattern(s): index access, no whole-table read, flat cost from ${VOLUMES.small} to ${VOLUMES.large} rows${databases.length > 1 ? ` (${databases.length} databases)` : ''}`, ok, figures);
    }),
};

async function observe(db: PgClient, query: string, count: string): Promise<Observed> {
  const json = (await db.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${query}`)).rows[0]!['QUERY PLAN'][0]!.Plan;
  const text = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query}`)).rows.map((r) => r['QUERY PLAN']);
  const matches = (await db.query<{ n: number }>(count)).rows[0]?.n ?? 0;
  return { nodes: flatten(json), cost: json['Total Cost'] ?? 0, text, matches };
}

function planLine(o: Observed, table: string): string {
  return o.text.filter((l) => /Index|Scan|Sort/.test(l)).map((l) => l.replace(/^\s*(->\s*)?/, '').replace(/\s+\(cost.*$/, '')).join(' → ') || (o.text.find((l) => l.includes(` on ${table}`)) ?? o.text[0]!);
}

/** Valid indexes of a table whose leading key columns are the pattern's equality columns (any order) — read from the catalog, as the database has them. */
async function indexesLeadingWith(db: PgClient, table: string, lead: string[]): Promise<{ name: string; cols: string[] }[]> {
  const rows = (
    await db.query<{ name: string; cols: string[] }>(
      `SELECT c.relname AS name, array(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS cols
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = $1 AND i.indisvalid`,
      [table],
    )
  ).rows;
  return rows.filter((r) => lead.every((c) => r.cols.slice(0, lead.length).includes(c)));
}

interface ListQuery {
  where: string[];
  nullChecks: NullCheck[];
  orderBy: string;
  orderColumn: string;
  httpQuery: string;
}

/**
 * Every list query to EXPLAIN: each access pattern (with its `is [not] null` conditions, NULLS LAST on a
 * nullable sort column), and each sort the API offers without a filter. On a tenant-owned table every
 * list is within one tenant: the tenant equality is part of each query (and leads the patterns' `where`).
 */
function listQueries(e: EntityPlan, tenant: string | null = null): ListQuery[] {
  const scope = tenant && e.tenantScoped ? [tenant] : [];
  const queries: ListQuery[] = [];
  const seen = new Set<string>();
  for (const idx of e.indexes) {
    const ap = idx.accessPattern;
    if (!ap) continue;
    const dir = ap.order.direction.toUpperCase();
    const orderBy = `"${ap.order.column}" ${dir}${ap.order.nullable ? ' NULLS LAST' : ''}, id ${dir}`;
    queries.push({ where: ap.where, nullChecks: ap.nullChecks ?? [], orderBy, orderColumn: ap.order.column, httpQuery: ap.httpQuery });
    if (ap.where.every((c) => scope.includes(c)) && (ap.nullChecks ?? []).length === 0) seen.add(`${ap.order.column}:${ap.order.direction}`);
  }
  for (const sort of e.sorts) {
    if (seen.has(sort.key)) continue;
    queries.push({ where: scope, nullChecks: [], orderBy: sort.orderBySql, orderColumn: sort.column, httpQuery: `GET ${e.routePrefix}?sort=${sort.key}` });
  }
  return queries;
}

function flatten(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(flatten)];
}

/** Tenants in the seeded data: rows of a tenant-owned table are spread over them (row g is tenant g % TENANTS). */
const TENANTS = 4;
const tenantUuid = (k: string) => `('00000000-0000-4000-8000-' || lpad((${k})::text, 12, '0'))::uuid`;

/**
 * INSERT … SELECT FROM generate_series(from, to): the plan's seed expressions, parents picked round-robin,
 * 10% soft-deleted. Tenant-owned rows are spread over TENANTS tenants, and a composite (tenant, parent)
 * key picks a parent of the row's own tenant (the parents' ids grouped by tenant).
 */
async function seedTable(db: PgClient, e: EntityPlan, from: number, to: number, tenant: string | null = null): Promise<void> {
  const cols: string[] = [];
  const exprs: string[] = [];
  const froms: string[] = [`generate_series(${from}, ${to}) AS g`];
  if (tenant && e.tenantScoped) {
    cols.push(`"${tenant}"`);
    exprs.push(tenantUuid(`g % ${TENANTS}`));
  }
  for (const f of e.fields) {
    if (e.externalReferences?.some((r) => r.column === f.name)) {
      // A row of another service (its own database, no foreign key): ids from a pool of 100, so an
      // index on the column meets a realistic spread of values.
      cols.push(f.sql);
      exprs.push(f.nullable ? `CASE WHEN g % 7 = 3 THEN NULL ELSE ${tenantUuid('g % 100')} END` : tenantUuid('g % 100'));
    } else if (f.references) {
      const ref = e.references.find((r) => r.column === f.name)!;
      const alias = `p_${f.name}`;
      cols.push(f.sql);
      if (tenant && e.tenantScoped && ref.tenantScoped) {
        // ids[t + 1] holds the parents of tenant t, as a json array (a 2-D SQL array needs equal lengths).
        froms.push(`(SELECT array_agg(ids ORDER BY t) AS ids FROM (SELECT k AS t, (SELECT jsonb_agg(id) FROM ${ref.table} WHERE "${tenant}" = ${tenantUuid('k')}) AS ids FROM generate_series(0, ${TENANTS - 1}) AS k) AS per_tenant) AS ${alias}`);
        exprs.push(`(${alias}.ids[1 + g % ${TENANTS}] ->> ((g / ${TENANTS}) % jsonb_array_length(${alias}.ids[1 + g % ${TENANTS}]))::int)::uuid`);
        continue;
      }
      froms.push(`(SELECT array_agg(id) AS ids FROM ${ref.table}) AS ${alias}`);
      exprs.push(`${alias}.ids[1 + (g % cardinality(${alias}.ids))]`);
    } else if (f.seedSql) {
      cols.push(f.sql);
      // Optional columns hold NULLs too, so `is null` filters and NULLS LAST orders meet real data.
      exprs.push(f.nullable ? `CASE WHEN g % 7 = 3 THEN NULL ELSE ${f.seedSql} END` : f.seedSql);
    }
  }
  cols.push('created_at', 'updated_at');
  exprs.push(`now() - g * interval '1 minute'`, `now() - (g % 997) * interval '1 minute'`);
  if (e.softDelete) {
    cols.push('deleted_at');
    exprs.push(`CASE WHEN g % 10 = 0 THEN now() END`);
  }
  await db.query(`INSERT INTO ${e.table} (${cols.join(', ')}) SELECT ${exprs.join(', ')} FROM ${froms.join(', ')}`);
}
