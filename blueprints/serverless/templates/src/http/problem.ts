/**
 * RFC 9457 problem details: the one error body every route returns (application/problem+json).
 * Handlers throw HttpError; PostgreSQL errors that are the client's fault map to 4xx here, an
 * unreachable database to 503 with Retry-After, anything else to a 500 whose detail is only logged.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** The problem body, as a schema: what every error status of every route answers (and the OpenAPI document says). */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ maxLength: 2048 }),
    title: Type.String({ maxLength: 200 }),
    status: Type.Integer({ format: 'int32', minimum: 400, maximum: 599 }),
    detail: Type.Optional(Type.String({ maxLength: 2048 })),
    instance: Type.Optional(Type.String({ maxLength: 8192 })),
    requestId: Type.Optional(Type.String({ maxLength: 128 })),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String({ maxLength: 1024 }), message: Type.String({ maxLength: 2048 }) }), {
        maxItems: 100,
      }),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof ProblemSchema>;

/** Response schemas for the error statuses a route can answer, for its schema's `response` map. */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema]));
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemFieldError {
  path: string;
  message: string;
}

/** An error that maps to a problem response; throw it from handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    detail?: string,
    readonly errors?: ProblemFieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? TITLES[status] ?? 'Error');
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

export function problemResponse(
  status: number,
  context: { url: string; requestId: string },
  detail?: string,
  errors?: ProblemFieldError[],
  headers: Record<string, string> = {},
): Response {
  const url = new URL(context.url);
  const body: Problem = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
    instance: url.pathname + url.search,
    requestId: context.requestId,
    ...(errors ? { errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

interface PgError {
  code?: unknown;
  detail?: unknown;
  message?: unknown;
}

/** Seconds a client should wait before retrying while PostgreSQL is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * What an error becomes: its status, the detail a client may see, field errors. `internal` marks the
 * ones whose real cause is only logged (5xx).
 */
export function classify(err: unknown): {
  status: number;
  detail: string;
  errors?: ProblemFieldError[];
  headers?: Record<string, string>;
  internal: boolean;
} {
  if (err instanceof HttpError)
    return {
      status: err.status,
      detail: err.message,
      ...(err.errors ? { errors: err.errors } : {}),
      headers: err.headers,
      internal: err.status >= 500,
    };
  const pg = err as PgError;
  const code = typeof pg.code === 'string' ? pg.code : '';
  const columns =
    /^Key \(([^)]*)\)=/
      .exec(typeof pg.detail === 'string' ? pg.detail : '')?.[1]
      ?.split(',')
      .map((c) => c.trim().replace(/^"|"$/g, '')) ?? [];
  if (code === '23505')
    return {
      status: 409,
      detail: columns.length ? `Already exists: another row has the same ${columns.join(', ')}` : 'Already exists',
      errors: columns.map((c) => ({ path: `body/${c}`, message: 'must be unique' })),
      internal: false,
    };
  if (code === '23503')
    return {
      status: 409,
      detail: `Referenced row missing or still referenced${columns.length ? ` (${columns.join(', ')})` : ''}`,
      internal: false,
    };
  if (code === '23001')
    return { status: 409, detail: 'This resource is append-only: it cannot be changed or removed', internal: false };
  if (['23514', '23502', '22P02', '22003', '22007', '22008', '22021', '22P05'].includes(code))
    return { status: 400, detail: 'A value is not valid for its column', internal: false };
  if (code === '57014') return { status: 503, detail: 'The database did not answer in time', internal: true };
  const message = typeof pg.message === 'string' ? pg.message : '';
  // Connection exceptions, admin shutdown, too many connections, a refused or dropped socket.
  if (
    /^(08|57P0)/.test(code) ||
    code === '53300' ||
    /ECONNREFUSED|ECONNRESET|Connection terminated|connection error|timeout exceeded when trying to connect/i.test(
      `${code} ${message}`,
    )
  )
    return {
      status: 503,
      detail: 'The database is unavailable; retry later',
      headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
      internal: true,
    };
  return { status: 500, detail: 'Internal Server Error', internal: true };
}
