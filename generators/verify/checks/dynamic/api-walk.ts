import { fail, pass, seed, skip, type Check, type Evidence } from '../../types.js';
import type { Runtime } from '../../dynamic/runtime.js';
import { withRuntime } from './guard.js';
import { createBody, createEventually, http, sameValue, type Exchange } from './http.js';
import type { PgClient } from '../../dynamic/runtime.js';

/** Ids the walk created, per entity (later checks reuse them: jobs, metrics, load); kept in the runtime. */
export function createdIds(rt: Runtime): Record<string, string> {
  return rt.state('created', () => ({}));
}

/**
 * The seeds' "Before Claiming Completion" list over HTTP, for every entity: valid create → 201 and the
 * row in the database; invalid → 400 problem+json; no token → 401; wrong role → 403; read by id →
 * matches the database; list → a page with a cursor.
 */
export const apiWalk: Check = {
  id: 'dynamic.api-walk',
  title: 'Every resource: 201 + row in DB, 400, 401, 403, read matches DB, list paginates',
  seed: seed('s003', 'Before Claiming Completion: Feature Implementation (tested endpoints, data flow, error handling, security validation, database verification)'),
  kind: 'dynamic',
  run: (ctx) =>
    withRuntime(ctx, async (rt) => {
      const plan = ctx.project.plan;
      if (plan.entities.length === 0) return skip('No entities');
      const api = await rt.sharedApi();
      const tokens = await rt.tokens();
      // Each entity's table in the database that holds it (one, or one per service).
      const clients = new Map<string, PgClient>();
      const dbOf = async (entity: string) => {
        const url = await rt.databaseOf('app', entity);
        if (!clients.has(url)) clients.set(url, await rt.pgClient(url));
        return clients.get(url)!;
      };
      const created = createdIds(rt);
      const problems: Evidence[] = [];
      const ok: Evidence[] = [];
      const expect = (x: Exchange, status: number, what: string, extra?: string) => {
        if (x.status === status && !extra) ok.push({ text: `${what}: ${x.transcript}` });
        else problems.push({ text: `${what}: expected ${status}${extra ? ` (${extra})` : ''}, got ${x.transcript}` });
        return x.status === status && !extra;
      };
      try {
        let n = Date.now() % 100_000;
        for (const e of plan.entities) {
          const writer = tokens[e.permissions.write[0]!];
          const reader = tokens[e.permissions.read[0]!];
          const body = createBody(e, ++n, created);
          const c = await createEventually(e, () => http(api.url, 'POST', e.routePrefix, { token: writer, body }));
          if (expect(c, 201, `${e.name} valid create`)) {
            const id = (c.body as { id?: string }).id!;
            created[e.name] = id;
            const row = (await (await dbOf(e.name)).query<Record<string, unknown>>(`SELECT row_to_json(t) AS r FROM ${e.table} t WHERE id = $1`, [id])).rows[0]?.r as Record<string, unknown> | undefined;
            if (!row) problems.push({ text: `${e.name}: POST answered 201 with id ${id}, but no such row in ${e.tableName}` });
            else {
              const diff = Object.keys(body).filter((k) => !sameValue(body[k], row[k]));
              if (diff.length) problems.push({ text: `${e.name}: the row in ${e.tableName} differs from the request in ${diff.map((k) => `${k} (sent ${JSON.stringify(body[k])}, stored ${JSON.stringify(row[k])})`).join(', ')}` });
              else ok.push({ text: `${e.name}: row ${id} in ${e.tableName} holds the request's values` });
              const r = await http(api.url, 'GET', `${e.routePrefix}/${id}`, { token: reader });
              if (expect(r, 200, `${e.name} read by id`)) {
                const got = r.body as Record<string, unknown>;
                const differs = e.columns.map((col) => col.name).filter((k) => k in row && !sameValue(got[k], row[k]));
                if (differs.length) problems.push({ text: `${e.name}: GET ${e.routePrefix}/${id} differs from the database in ${differs.map((k) => `${k} (api ${JSON.stringify(got[k])}, db ${JSON.stringify(row[k])})`).join(', ')}` });
              }
            }
          }
          const bad = await http(api.url, 'POST', e.routePrefix, { token: writer, rawBody: e.invalidBodyJson });
          const ctype = bad.headers.get('content-type') ?? '';
          expect(bad, 400, `${e.name} invalid create`, bad.status === 400 && !ctype.includes('application/problem+json') ? `content-type ${ctype}, not application/problem+json` : undefined);
          expect(await http(api.url, 'POST', e.routePrefix, { body: createBody(e, ++n, created) }), 401, `${e.name} create without a token`);
          if (e.forbiddenWriteRole) expect(await http(api.url, 'POST', e.routePrefix, { token: tokens[e.forbiddenWriteRole], body: createBody(e, ++n, created) }), 403, `${e.name} create as ${e.forbiddenWriteRole}`);
          const list = await http(api.url, 'GET', `${e.routePrefix}?limit=1`, { token: reader });
          const page = rt.readPage(list.body);
          expect(list, 200, `${e.name} list`, list.status === 200 && (page.items === undefined || page.items.length > 1 || !page.hasCursorField) ? 'a page { items (≤ limit), next cursor }' : undefined);
        }
      } finally {
        for (const c of clients.values()) await c.end();
      }
      if (problems.length) return fail(`${problems.length} step(s) of the completion checklist fail`, [...problems, ...ok.slice(0, 3)], 'Fix the route or its schema so it answers as the checklist expects; run the project\'s integration tests for details.');
      return pass(`${plan.entities.length} resource(s): 201 + row, 400, 401, 403, read = DB, list paginates (${ok.length} exchanges)`, ok);
    }),
};
