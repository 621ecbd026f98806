import { fail, pass, seed, skip, type Check, type Evidence } from '../../types.js';
import { withRuntime } from './guard.js';
import type { PgClient } from '../../dynamic/runtime.js';
import type { EntityPlan, NullCheck } from '../../../plan/types.js';

export const ROWS_PER_TABLE = 20_000;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/**
 * Migrations applied to a fresh database by the project's runner; every entity table seeded with
 * tens of thousands of rows (optional columns NULL in one row of seven); each declared access
 * pattern's list query (with its `is [not] null` conditions and NULLS LAST on a nullable sort column),
 * the plain list, and each sort the API offers without a filter EXPLAINed: each must be an index scan
 * that needs no sort step (the index serves the filter and the order).
 */
export const explainAccessPatterns: Check = {
  id: 'dynamic.explain-access-patterns',
  title: `Each access pattern's list query uses an index at ${ROWS_PER_TABLE.toLocaleString('en')} rows per table`,
  seed: seed('s004', 'Database Design & Optimization: optimize queries using EXPLAIN plans'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const plan = ctx.project.plan;
      if (!plan.entities.some((e) => e.indexes.some((i) => i.accessPattern))) return skip('The spec declares no access patterns');
      const url = await rt.migrated('explain');
      const db = await rt.pgClient(url);
      const problems: Evidence[] = [];
      const ok: Evidence[] = [];
      const t0 = Date.now();
      try {
        for (const e of plan.entities) await seedTable(db, e);
        await db.query('ANALYZE');
        const seedMs = Date.now() - t0;
        for (const e of plan.entities) {
          for (const q of listQueries(e)) {
            const live = e.softDelete ? ' AND deleted_at IS NULL' : '';
            const cols = q.where.map((c) => `"${c}"`);
            const sample = (await db.query<Record<string, string>>(`SELECT ${q.where.length ? q.where.map((c, i) => `quote_literal("${c}"::text) AS v${i}`).join(', ') : '1 AS v'} FROM ${e.table} WHERE true${live} OFFSET 777 LIMIT 1`)).rows[0] ?? {};
            const where = [
              ...cols.map((c, i) => `${c} = ${sample[`v${i}`] ?? 'NULL'}`),
              ...q.nullChecks.map((c) => `"${c.column}" IS ${c.isNull ? '' : 'NOT '}NULL`),
              ...(e.softDelete ? ['deleted_at IS NULL'] : []),
            ];
            const query = `SELECT * FROM ${e.table}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${q.orderBy} LIMIT 21`;
            const json = (await db.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${query}`)).rows[0]!['QUERY PLAN'][0]!.Plan;
            const text = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query}`)).rows.map((r) => r['QUERY PLAN']);
            const nodes = flatten(json);
            const scan = nodes.find((n) => n['Relation Name'] === e.tableName);
            const sorted = nodes.some((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Incremental Sort');
            const planLine = (text.find((l) => l.includes(` on ${e.tableName} `) || l.includes(` on "${e.tableName}"`)) ?? text[0]!).replace(/^\s*(->\s*)?/, '');
            const label = `${e.name}: ${q.httpQuery}`;
            if (scan && /Index/.test(scan['Node Type']) && !sorted) ok.push({ text: `${label} → ${planLine}` });
            else
              problems.push({
                text: `${label}: ${!scan || !/Index/.test(scan['Node Type']) ? 'no index scan' : 'the index does not serve the order (a Sort step)'}\n${query}\n${text.join('\n')}`,
              });
          }
        }
        const figures = { rowsPerTable: ROWS_PER_TABLE, seedMs };
        if (problems.length) return fail(`${problems.length} list quer(ies) not served by an index`, problems, 'Add the access pattern\'s index (equality columns, then the sort column and id, partial on deleted_at IS NULL for soft delete) in a new migration.', figures);
        return pass(`${ok.length} list queries (access patterns, the plain lists, each sort alone), each an index scan with no sort step at ${ROWS_PER_TABLE} rows per table`, ok, figures);
      } finally {
        await db.end();
      }
    }),
};

interface ListQuery {
  where: string[];
  nullChecks: NullCheck[];
  orderBy: string;
  httpQuery: string;
}

/** Every list query to EXPLAIN: each access pattern, and each sort the API offers without a filter. */
function listQueries(e: EntityPlan): ListQuery[] {
  const queries: ListQuery[] = [];
  const seen = new Set<string>();
  for (const idx of e.indexes) {
    const ap = idx.accessPattern;
    if (!ap) continue;
    const dir = ap.order.direction.toUpperCase();
    const orderBy = `"${ap.order.column}" ${dir}${ap.order.nullable ? ' NULLS LAST' : ''}, id ${dir}`;
    queries.push({ where: ap.where, nullChecks: ap.nullChecks ?? [], orderBy, httpQuery: ap.httpQuery });
    if (ap.where.length === 0 && (ap.nullChecks ?? []).length === 0) seen.add(`${ap.order.column}:${ap.order.direction}`);
  }
  for (const sort of e.sorts) {
    if (seen.has(sort.key)) continue;
    queries.push({ where: [], nullChecks: [], orderBy: sort.orderBySql, httpQuery: `GET ${e.routePrefix}?sort=${sort.key}` });
  }
  return queries;
}

function flatten(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(flatten)];
}

/** INSERT … SELECT FROM generate_series: the plan's seed expressions, parents picked round-robin, 10% soft-deleted. */
async function seedTable(db: PgClient, e: EntityPlan): Promise<void> {
  const cols: string[] = [];
  const exprs: string[] = [];
  const froms: string[] = [`generate_series(1, ${ROWS_PER_TABLE}) AS g`];
  for (const f of e.fields) {
    if (f.references) {
      const ref = e.references.find((r) => r.column === f.name)!;
      const alias = `p_${f.name}`;
      froms.push(`(SELECT array_agg(id) AS ids FROM ${ref.table}) AS ${alias}`);
      cols.push(f.sql);
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
