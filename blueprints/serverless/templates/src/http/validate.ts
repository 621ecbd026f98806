/**
 * Request validation with the TypeBox schemas of src/modules/<entity>/schemas.ts, checked by TypeBox's value
 * checker. (Its compiler and ajv generate code with new Function, which Workers forbid; the checker
 * interprets the same JSON Schema.) Formats are registered once here. A failure is a 400 problem
 * naming each field.
 */
import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { Value as TypeBoxValue } from '@sinclair/typebox/value';
import { HttpError, type ProblemFieldError } from './problem.js';
import type { RouteInput, RouteSchema } from './router.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

if (!FormatRegistry.Has('uuid')) {
  FormatRegistry.Set('uuid', (v) => UUID.test(v));
  FormatRegistry.Set('date', (v) => DATE.test(v) && !Number.isNaN(Date.parse(v)));
  FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
  FormatRegistry.Set('email', (v) => EMAIL.test(v));
  FormatRegistry.Set('int32', () => true); // an integer's range is checked by minimum/maximum
}

const MAX_BODY_BYTES = 1024 * 1024;

function errorsOf(schema: TSchema, value: unknown, where: string): ProblemFieldError[] {
  return [...TypeBoxValue.Errors(schema, value)]
    .slice(0, 20)
    .map((e) => ({ path: `${where}${e.path}`, message: e.message }));
}

export function check<S extends TSchema>(
  schema: S,
  value: unknown,
  where: 'body' | 'querystring' | 'params' | 'headers',
): Static<S> {
  if (!TypeBoxValue.Check(schema, value))
    throw new HttpError(400, 'The request is not valid', errorsOf(schema, value, where));
  return value as Static<S>;
}

/** The JSON body, validated; 415 for another content type, 413 when too large, 400 when malformed. */
export async function readBody<S extends TSchema>(request: Request, schema: S): Promise<Static<S>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, 'Send the body as application/json');
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new HttpError(413, 'The body is too large');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'The body is not valid JSON');
  }
  return check(schema, value, 'body');
}

/** Query parameters, converted to the schema's types (numbers, booleans) before checking, defaults applied. */
export function readQuery<S extends TSchema>(url: URL, schema: S): Static<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (k in raw) throw new HttpError(400, `The query parameter ${k} is given more than once`);
    raw[k] = v;
  }
  return check(schema, TypeBoxValue.Default(schema, TypeBoxValue.Convert(schema, raw)), 'querystring');
}

/**
 * Everything a route's schema declares, validated in the order Fastify validates (params, querystring,
 * headers, body): the handler runs only on valid input.
 */
export async function readInput(
  request: Request,
  url: URL,
  schema: RouteSchema,
  params: Record<string, string>,
): Promise<RouteInput> {
  const input = {
    params: schema.params ? check(schema.params, params, 'params') : undefined,
    query: schema.querystring ? readQuery(url, schema.querystring) : undefined,
    body: undefined as unknown,
  };
  if (schema.headers) check(schema.headers, Object.fromEntries(request.headers), 'headers');
  if (schema.body) input.body = await readBody(request, schema.body);
  return input as RouteInput;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { ...(status === 204 ? {} : { 'content-type': 'application/json' }), ...headers },
  });
}
