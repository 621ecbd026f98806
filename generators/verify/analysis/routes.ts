/**
 * Routes as the source declares them. Fastify's: `app.get('/path', { schema, onRequest, config }, handler)`,
 * `app.route({ method, url, ... })`, with the `prefix` a plugin was registered under, and the hooks the
 * plugin adds to every route in its scope (`app.addHook('onRequest', app.authenticate)`). And route
 * tables, the form a fetch handler's router takes (a Worker): object literals
 * `{ method: 'POST', path: '/teams', roles, schema, handler }` — in an array, or passed to a helper — whose
 * `schema` has the same parts as Fastify's and whose `roles` the router authorizes before the handler.
 */
import ts from 'typescript';
import { enclosingFunction, findAll, literalString, oneLine, propName, type Sources } from './source.js';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;
export const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RouteModel {
  method: string; // upper case
  /** Path including the registration prefix when it could be resolved. */
  path: string;
  file: string;
  line: number;
  /** The declaring node: the `app.get(…)` call, or a route table's object literal. */
  call: ts.Node;
  /** Route options object (schema, hooks, config), resolved; undefined when none. */
  options: ts.Node | undefined;
  handler: ts.Node | undefined;
  /** Name of the instance the route is declared on (`app`, `fastify`, ...). */
  receiver: string;
  /** Hooks added in the same plugin scope: hook name → expressions. */
  scopeHooks: { hook: string; expr: ts.Expression }[];
  /** A route table's `roles` value (the router authorizes them; `null` is a public route); undefined for Fastify routes. */
  roles?: ts.Expression;
}

export function extractRoutes(sources: Sources): RouteModel[] {
  const prefixes = registrationPrefixes(sources);
  const routes: RouteModel[] = [];
  for (const { file, sf } of sources.app) {
    for (const call of findAll(sf, ts.isCallExpression)) {
      if (!ts.isPropertyAccessExpression(call.expression)) continue;
      const method = call.expression.name.text;
      const receiverNode = call.expression.expression;
      const receiver = ts.isIdentifier(receiverNode) ? receiverNode.text : receiverNode.getText();
      let route: Omit<RouteModel, 'scopeHooks' | 'file' | 'line' | 'call' | 'receiver'> | undefined;
      if ((HTTP_METHODS as readonly string[]).includes(method) && call.arguments.length >= 2) {
        const url = literalString(call.arguments[0]);
        if (url === undefined || (url !== '' && !url.startsWith('/'))) continue;
        const options = call.arguments.length >= 3 ? sources.resolve(call.arguments[1]) : undefined;
        route = { method: method.toUpperCase(), path: url, options, handler: call.arguments[call.arguments.length - 1] };
        // app.get(path, { handler, schema }) form
        if (call.arguments.length === 2) {
          const o = sources.resolve(call.arguments[1]);
          if (o && ts.isObjectLiteralExpression(o) && sources.prop(o, 'handler')) route = { ...route, options: o, handler: sources.prop(o, 'handler') };
        }
      } else if (method === 'route' && call.arguments.length === 1) {
        const o = sources.resolve(call.arguments[0]);
        const url = literalString(sources.prop(o, 'url') ?? sources.prop(o, 'path'));
        const m = sources.prop(o, 'method');
        const methods = literalString(m) ?? (m && ts.isArrayLiteralExpression(m) ? m.elements.map((e) => literalString(e)).filter(Boolean).join(',') : undefined);
        if (url === undefined || !methods) continue;
        route = { method: methods.toUpperCase(), path: url, options: o, handler: sources.prop(o, 'handler') };
      }
      if (!route) continue;
      const prefix = prefixes.get(file) ?? '';
      const fullPath = joinPath(prefix, route.path);
      routes.push({
        ...route,
        path: fullPath,
        file,
        line: sources.lineOf(call),
        call,
        receiver,
        scopeHooks: scopeHooks(call, receiver),
      });
    }
  }
  routes.push(...tableRoutes(sources));
  return routes.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** Route-table entries: `{ method, path, handler }` object literals that are not Fastify's `app.route({…})`. */
function tableRoutes(sources: Sources): RouteModel[] {
  const out: RouteModel[] = [];
  for (const { file, sf } of sources.app) {
    for (const o of findAll(sf, ts.isObjectLiteralExpression)) {
      const method = literalString(sources.prop(o, 'method'));
      const path = literalString(sources.prop(o, 'path'));
      const handler = sources.prop(o, 'handler');
      if (!method || !(HTTP_METHODS as readonly string[]).includes(method.toLowerCase()) || !path?.startsWith('/') || !handler) continue;
      const parent = o.parent;
      if (ts.isCallExpression(parent) && ts.isPropertyAccessExpression(parent.expression) && parent.expression.name.text === 'route') continue;
      out.push({
        method: method.toUpperCase(),
        path,
        file,
        line: sources.lineOf(o),
        call: o,
        options: o,
        handler: sources.resolve(handler),
        receiver: '',
        scopeHooks: [],
        roles: sources.prop(o, 'roles'),
      });
    }
  }
  return out;
}

function joinPath(prefix: string, p: string): string {
  const joined = `${prefix.replace(/\/$/, '')}${p === '/' && prefix ? '' : p}`;
  return joined === '' ? '/' : joined;
}

/** Hooks added with `<receiver>.addHook(name, fn)` in the function that declares the route. */
function scopeHooks(call: ts.CallExpression, receiver: string): { hook: string; expr: ts.Expression }[] {
  const fn = enclosingFunction(call);
  const scope = fn ?? call.getSourceFile();
  const out: { hook: string; expr: ts.Expression }[] = [];
  for (const c of findAll(scope, ts.isCallExpression)) {
    if (!ts.isPropertyAccessExpression(c.expression) || c.expression.name.text !== 'addHook') continue;
    const target = c.expression.expression;
    if ((ts.isIdentifier(target) ? target.text : target.getText()) !== receiver) continue;
    const hook = literalString(c.arguments[0]);
    if (hook && c.arguments[1]) out.push({ hook, expr: c.arguments[1] });
  }
  return out;
}

/**
 * `app.register(plugin, { prefix: '/projects' })` → the plugin's file gets that prefix. Follows the
 * plugin identifier through a relative import to its file.
 */
function registrationPrefixes(sources: Sources): Map<string, string> {
  const out = new Map<string, string>();
  for (const { sf } of sources.app) {
    for (const call of findAll(sf, ts.isCallExpression)) {
      if (!ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'register') continue;
      const [plugin, opts] = call.arguments;
      const prefix = literalString(sources.prop(opts, 'prefix'));
      if (prefix === undefined || !plugin) continue;
      const target = pluginFile(sources, plugin);
      if (target && !out.has(target)) out.set(target, prefix);
    }
  }
  return out;
}

function pluginFile(sources: Sources, plugin: ts.Expression): string | undefined {
  let id: ts.Identifier | undefined;
  if (ts.isIdentifier(plugin)) id = plugin;
  else if (ts.isCallExpression(plugin) && ts.isIdentifier(plugin.expression)) id = plugin.expression; // routes(deps)
  if (!id) return undefined;
  const decl = sources.declarationOf(id, id.text);
  return decl ? decl.getSourceFile().fileName : undefined;
}

export function routeLabel(r: RouteModel): string {
  return `${r.method} ${r.path}`;
}

/** The schema object of a route's options (resolved), or undefined. */
export function routeSchema(sources: Sources, r: RouteModel): ts.Node | undefined {
  return r.options ? sources.resolve(sources.prop(r.options, 'schema')) : undefined;
}

/** Texts of the hook expressions that apply to a route (its own and its plugin scope's). */
export function routeHooks(sources: Sources, r: RouteModel): { hook: string; text: string; node: ts.Node }[] {
  const out: { hook: string; text: string; node: ts.Node }[] = [];
  for (const hook of ['onRequest', 'preParsing', 'preValidation', 'preHandler']) {
    const own = r.options ? sources.prop(r.options, hook) : undefined;
    if (own) out.push({ hook, text: oneLine(own.getText()), node: own });
  }
  for (const h of r.scopeHooks) out.push({ hook: h.hook, text: oneLine(h.expr.getText()), node: h.expr });
  return out;
}

/**
 * Does a handler (or anything it reads) use `request.body`, a `body` it destructures, or read the raw
 * request body itself (`request.json()`, `ctx.request.text()`, …)?
 */
export function readsBody(handler: ts.Node | undefined): boolean {
  if (!handler) return false;
  let found = false;
  const visitNode = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'body' && /^(req|request)$/.test(n.expression.getText())) found = true;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(json|text|formData|arrayBuffer|blob)$/.test(n.expression.name.text) && /(^|\.)(req|request)$/.test(n.expression.expression.getText())) found = true;
    if (ts.isBindingElement(n) && propName(n.propertyName ?? n.name) === 'body') found = true;
    n.forEachChild(visitNode);
  };
  visitNode(handler);
  return found;
}
