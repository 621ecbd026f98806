/**
 * A small router: a route is a method, a path pattern with `:params`, the roles that may call it (null
 * for a public route), its schema and a handler. Matching is exact on segments; a known path with
 * another method is 405 with Allow.
 *
 * The schema is the route's contract, as Fastify's route schemas are in the monolith: the app validates
 * params, querystring, headers and body against it before the handler runs (a 400 problem otherwise),
 * and the OpenAPI document (src/http/openapi.ts) is built from the same schemas, so what is documented
 * is what is enforced.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { Role } from '../auth/roles.js';
import type { RequestContext } from './context.js';

export interface RouteSchema {
  summary: string;
  description?: string;
  tags?: string[];
  /** Operational routes (health probes) stay out of the OpenAPI document; they are not rate limited either. */
  hide?: boolean;
  params?: TSchema;
  querystring?: TSchema;
  headers?: TSchema;
  body?: TSchema;
  /** Status → body schema (null: no body). Error statuses use the problem schema (problemResponses). */
  response: Record<number, TSchema | null>;
}

type Input<S, K extends string> = S extends { [P in K]: infer T extends TSchema } ? Static<T> : undefined;

/** What the app validated for the handler: each part typed by the route's schema. */
export interface RouteInput<S extends RouteSchema = RouteSchema> {
  params: Input<S, 'params'>;
  query: Input<S, 'querystring'>;
  body: Input<S, 'body'>;
}

export interface HttpRoute<S extends RouteSchema = RouteSchema> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** null: public (no token needed); otherwise the roles allowed (401 without a token, 403 for another role). */
  roles: readonly Role[] | null;
  schema: S;
  handler: (ctx: RequestContext, input: RouteInput<S>) => Promise<Response>;
}

/** A route whose handler's input is typed by its schema (the app validates before calling it). */
export function route<S extends RouteSchema>(r: HttpRoute<S>): HttpRoute {
  return r as unknown as HttpRoute;
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
