import ts from 'typescript';
import type { Sources } from '../../analysis/source.js';
import { propName } from '../../analysis/source.js';
import type { RouteModel } from '../../analysis/routes.js';
import type { HttpProcessPlan } from '../../../plan/types.js';

/** Names of object properties anywhere inside a (resolved) expression, following identifiers a few levels. */
export function deepPropNames(sources: Sources, node: ts.Node | undefined, depth = 0, seen = new Set<ts.Node>()): Set<string> {
  const out = new Set<string>();
  const n = sources.resolve(node);
  if (!n || depth > 4 || seen.has(n)) return out;
  seen.add(n);
  const walk = (x: ts.Node): void => {
    if (ts.isPropertyAssignment(x) || ts.isShorthandPropertyAssignment(x)) {
      const name = propName(x.name);
      if (name) out.add(name);
    }
    if (ts.isIdentifier(x) && x !== n && !(ts.isPropertyAssignment(x.parent) && x.parent.name === x) && !ts.isPropertyAccessExpression(x.parent)) {
      const r = sources.resolve(x);
      if (r && r !== x && !seen.has(r) && !ts.isParameter(r)) for (const p of deepPropNames(sources, r, depth + 1, seen)) out.add(p);
    }
    x.forEachChild(walk);
  };
  walk(n);
  return out;
}

/** An expression that authenticates/authorizes (authorize([...]), app.authenticate, request.jwtVerify, ...). */
export const AUTH_RE = /\b(authorize|authenticate|requireRole|requireRoles|requireAuth|requireUser|verifyJwt|jwtVerify|requirePermission)\b/;

/** Routes that are public by design: obtaining a token, health probes, metrics scrapes, API docs. */
export const PUBLIC_AUTH_ROUTE = /^\/auth\/(token|login|refresh)\/?$/;

/**
 * The HTTP process a source file belongs to, when the plan declares more than one (`plan.httpProcesses`:
 * the longest matching sources prefix); undefined for a project with one API process.
 */
export function httpProcessOf(processes: HttpProcessPlan[] | undefined, file: string): HttpProcessPlan | undefined {
  return [...(processes ?? [])].sort((a, b) => b.sources.length - a.sources.length).find((p) => file.startsWith(p.sources));
}

/**
 * A reverse proxy's pass-through route: a wildcard path in a process the plan declares as forwarding
 * (a gateway). What it forwards is validated and authorized by the routes of the processes behind it,
 * which are judged themselves.
 */
export function isForwardingRoute(processes: HttpProcessPlan[] | undefined, r: RouteModel): boolean {
  return r.path.endsWith('*') && httpProcessOf(processes, r.file)?.forwards === true;
}
