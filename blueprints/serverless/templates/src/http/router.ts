/**
 * A small router: a route is a method, a path pattern with `:params`, the roles that may call it (null
 * for a public route) and a handler. Matching is exact on segments; a known path with another method
 * is 405 with Allow.
 */
import type { Role } from '../auth/roles.js';
import type { RequestContext } from './context.js';

export interface HttpRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** null: public (no token needed); otherwise the roles allowed (401 without a token, 403 for another role). */
  roles: readonly Role[] | null;
  handler: (ctx: RequestContext, params: Record<string, string>) => Promise<Response>;
}

export type Match = { route: HttpRoute; params: Record<string, string> } | { allowed: string[] } | null;

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return null;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) return null;
  }
  return params;
}

export function match(routes: readonly HttpRoute[], method: string, path: string): Match {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : null;
}
