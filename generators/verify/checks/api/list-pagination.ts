import { routeSchema } from '../../analysis/routes.js';

import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';
import { deepPropNames } from './helpers.js';

export const listPagination: Check = {
  id: 'api.list-pagination',
  title: 'List routes paginate (cursor + bounded limit), filter and sort',
  seed: seed('s003', 'API Architecture: API Standards (Pagination: cursor-based)'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const routes = await project.routes();
    if (project.plan.entities.length === 0) return skip('No entities');
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    for (const e of project.plan.entities) {
      const r = routes.find((x) => x.method === 'GET' && (x.path === e.routePrefix || x.path === `${e.routePrefix}/`));
      if (!r) {
        problems.push({ text: `GET ${e.routePrefix} (the ${e.name} list) not found in src/` });
        continue;
      }
      const qs = sources.prop(routeSchema(sources, r), 'querystring');
      const names = deepPropNames(sources, qs);
      const missing = ['cursor', 'limit', ...(e.sorts.length > 1 ? ['sort'] : []), ...e.filters.map((f) => f.name)].filter((n) => !names.has(n));
      const maximum = names.has('maximum');
      if (missing.length || !maximum)
        problems.push({ file: r.file, line: r.line, text: `GET ${r.path}: querystring schema ${missing.length ? `lacks ${missing.join(', ')}` : ''}${missing.length && !maximum ? '; ' : ''}${!maximum ? 'limit has no maximum' : ''}` });
      else ok.push({ file: r.file, line: r.line, text: `GET ${r.path}: cursor, limit (bounded)${names.has('sort') ? ', sort' : ''}${e.filters.length ? `, filters ${e.filters.map((f) => f.name).join(', ')}` : ''}` });
    }
    return verdict(
      problems,
      { summary: `${ok.length} list route(s) with cursor pagination, a bounded limit, filters and sorts`, evidence: ok },
      { summary: `${problems.length} list route(s) without full pagination`, fix: 'Give the list route a querystring schema with `cursor`, `limit: Type.Integer({ maximum: 100 })`, `sort` and the declared filters.' },
    );
  },
};
