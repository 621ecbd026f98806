import ts from 'typescript';
import { readsBody, routeLabel, routeSchema } from '../../analysis/routes.js';
import { evaluate } from '../../analysis/evaluate.js';
import { propName, type Sources } from '../../analysis/source.js';
import { seed, skip, verdict, type Check, type Evidence } from '../../types.js';
import { isForwardingRoute } from './helpers.js';

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
    const forwarded: Evidence[] = [];
    for (const r of routes) {
      if (isForwardingRoute(project.plan.httpProcesses, r)) {
        forwarded.push({ file: r.file, line: r.line, text: `${routeLabel(r)}: forwards to the services behind it, whose routes validate (judged here too)` });
        continue;
      }
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
      // A schema that accepts anything validates nothing: it is not a schema.
      for (const part of ['body', 'querystring', 'params'] as const) {
        const value = sources.prop(schema, part);
        const why = value ? acceptsAnything(sources, value) : undefined;
        if (why) problems.push({ ...sources.at(value!), text: `${routeLabel(r)}: the ${part} schema ${why} (${value!.getText().replace(/\s+/g, ' ').slice(0, 80)}): it validates nothing` });
      }
    }
    return verdict(
      problems,
      { summary: `${routes.length - forwarded.length} route(s), each with its request and response schemas${forwarded.length ? `; ${forwarded.length} pass-through route(s) of a gateway` : ''}`, evidence: forwarded },
      { summary: `${problems.length} route(s) with missing schemas`, fix: 'Declare the missing part in the route\'s `schema` (TypeBox), so invalid input is a 400 before the handler runs.' },
    );
  },
};

/** `request.query`, a destructured `query` (a route table's validated input), or the raw `url.searchParams`. */
function usesQuery(handler: ts.Node | undefined): boolean {
  let found = false;
  const v = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'query' && /^(req|request)$/.test(n.expression.getText())) found = true;
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'searchParams') found = true;
    if (ts.isBindingElement(n) && propName(n.propertyName ?? n.name) === 'query') found = true;
    if (!found) n.forEachChild(v);
  };
  if (handler) v(handler);
  return found;
}

/** JSON Schema keywords that constrain a value; a schema object with none of them accepts anything. */
const CONSTRAINING = new Set(['type', 'properties', 'required', 'enum', 'const', 'items', 'prefixItems', 'anyOf', 'oneOf', 'allOf', 'not', 'pattern', 'format', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', '$ref', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties', 'minItems', 'maxItems', 'if', 'dependentRequired', 'dependentSchemas']);
/** Keywords that constrain an object's members (an object schema without any accepts every object). */
const OBJECT_CONSTRAINTS = ['properties', 'required', 'patternProperties', 'propertyNames', 'minProperties', 'maxProperties', '$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'if'];

/**
 * Why a request schema accepts any input, or undefined when it constrains something. Reads JSON Schema
 * literals and TypeBox/zod builders (followed through variables and imports): `true`, `{}`,
 * `{ type: 'object' }` with no members, `Type.Any()`, `Type.Unknown()`, `Type.Object({})` without
 * `additionalProperties: false`, a record of anything, a union with such a member.
 */
export function acceptsAnything(sources: Sources, node: ts.Node, depth = 0): string | undefined {
  const n = sources.resolve(node);
  if (!n || depth > 8) return undefined;
  if (n.kind === ts.SyntaxKind.TrueKeyword) return 'is `true`';
  if (ts.isObjectLiteralExpression(n)) {
    const names = sources.propNames(n);
    if (n.properties.some((p) => ts.isSpreadAssignment(p) && sources.propNames(p.expression).length === 0)) return undefined; // spread of something unknown
    if (!names.some((k) => CONSTRAINING.has(k))) return 'has no constraining keyword';
    const type = evaluate(sources, sources.prop(n, 'type'));
    const closed = evaluate(sources, sources.prop(n, 'additionalProperties')) === false;
    if (type === 'object' && !closed && !names.some((k) => OBJECT_CONSTRAINTS.includes(k))) return 'is an object with no properties and additionalProperties allowed';
    return undefined;
  }
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
    const fn = n.expression.name.text;
    const args = n.arguments;
    if (/^(Any|Unknown|any|unknown)$/.test(fn)) return `is ${n.expression.getText()}()`;
    if (fn === 'Object' && args[0]) {
      const members = sources.propNames(args[0]);
      const opts = args[1] ? evaluate(sources, args[1]) : undefined;
      const closed = !!opts && typeof opts === 'object' && (opts as Record<string, unknown>).additionalProperties === false;
      const resolved = sources.resolve(args[0]);
      if (members.length === 0 && resolved && ts.isObjectLiteralExpression(resolved) && resolved.properties.length === 0 && !closed) return 'is an object with no properties and additionalProperties allowed';
      return undefined;
    }
    if (fn === 'Record' && args[1]) return acceptsAnything(sources, args[1], depth + 1) ? 'is a record of anything' : undefined;
    if ((fn === 'Optional' || fn === 'Readonly') && args[0]) return acceptsAnything(sources, args[0], depth + 1);
    if (fn === 'Union' && args[0]) {
      const list = sources.resolve(args[0]);
      if (list && ts.isArrayLiteralExpression(list)) for (const m of list.elements) if (acceptsAnything(sources, m, depth + 1)) return 'is a union with a member that accepts anything';
    }
  }
  return undefined;
}
