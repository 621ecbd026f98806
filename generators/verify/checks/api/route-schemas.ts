import ts from 'typescript';
import { readsBody, routeLabel, routeSchema } from '../../analysis/routes.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';

/** Every route validates what it reads: params, body, querystring, and declares its responses. */
export const routeSchemas: Check = {
  id: 'api.route-schemas',
  title: 'Every route has request and response schemas',
  seed: seed('s004', 'API Design & Implementation: comprehensive input validation and sanitization'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const routes = await project.routes();
    if (routes.length === 0) return skip('No Fastify routes found in src/');
    const problems: Evidence[] = [];
    for (const r of routes) {
      const schema = routeSchema(sources, r);
      const at = { file: r.file, line: r.line };
      if (!schema || !ts.isObjectLiteralExpression(schema)) {
        problems.push({ ...at, text: `${routeLabel(r)} has no schema` });
        continue;
      }
      const has = (k: string) => sources.prop(schema, k) !== undefined;
      const missing: string[] = [];
      if (r.path.includes(':') && !has('params')) missing.push('params');
      if (readsBody(r.handler) && !has('body')) missing.push('body (the handler reads request.body)');
      if (usesQuery(r.handler) && !has('querystring')) missing.push('querystring (the handler reads request.query)');
      if (!has('response')) missing.push('response');
      if (missing.length) problems.push({ ...at, text: `${routeLabel(r)}: schema has no ${missing.join(', ')}` });
    }
    return verdict(
      problems,
      { summary: `${routes.length} route(s), each with its request and response schemas` },
      { summary: `${problems.length} route(s) with missing schemas`, fix: 'Declare the missing part in the route\'s `schema` (TypeBox), so invalid input is a 400 before the handler runs.' },
    );
  },
};

function usesQuery(handler: ts.Node | undefined): boolean {
  let found = false;
  const v = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'query' && /^(req|request)$/.test(n.expression.getText())) found = true;
    if (!found) n.forEachChild(v);
  };
  if (handler) v(handler);
  return found;
}
