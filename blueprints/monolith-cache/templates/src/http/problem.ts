/**
 * RFC 9457 problem details: the one error body every route returns, with content-type
 * application/problem+json, produced by the error handler registered in app.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

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

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  417: 'Expectation Failed',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error that maps to a problem response; throw it from handlers and services. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    detail?: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(detail ?? TITLES[statusCode] ?? 'Error');
    this.name = 'HttpError';
  }
}

export function problemTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);

/** Response schemas for the error statuses a route can answer, for its `response` map (and OpenAPI). */
export function problemResponses<const S extends number>(...statuses: S[]): Record<S, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema])) as Record<S, typeof ProblemSchema>;
}

function problem(status: number, request: FastifyRequest, detail?: string, errors?: Problem['errors']): Problem {
  return {
    type: 'about:blank',
    title: problemTitle(status),
    status,
    ...(detail ? { detail } : {}),
    instance: request.url,
    requestId: request.id,
    ...(errors ? { errors } : {}),
  };
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail?: string,
  errors?: Problem['errors'],
): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .send(problem(status, reply.request, detail, errors));
}

interface PgError {
  code?: unknown;
  detail?: unknown;
  constraint?: unknown;
}

/**
 * The columns a constraint error is about, from PostgreSQL's detail ("Key (team_id, name)=(…) already
 * exists."): the fields are named, never the constraint's internal name nor the values.
 */
function keyColumns(err: PgError): string[] {
  const match = /^Key \(([^)]*)\)=/.exec(typeof err.detail === 'string' ? err.detail : '');
  return match ? match[1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, '')) : [];
}

/** PostgreSQL errors that are the client's fault, as problem statuses (everything else is a 500). */
function fromPostgres(err: PgError): { status: number; detail: string; errors?: Problem['errors'] } | null {
  switch (err.code) {
    case '23505': {
      const columns = keyColumns(err);
      if (columns.length === 0) return { status: 409, detail: 'Already exists' };
      return {
        status: 409,
        detail: `Already exists: another row has the same ${columns.join(', ')}`,
        errors: columns.map((c) => ({
          path: `body/${c}`,
          message:
            columns.length > 1
              ? `must be unique together with ${columns.filter((o) => o !== c).join(', ')}`
              : 'must be unique',
        })),
      };
    }
    case '23503': {
      const columns = keyColumns(err);
      return {
        status: 409,
        detail: columns.length
          ? `Referenced row missing or still referenced (${columns.join(', ')})`
          : 'Referenced row missing or still referenced',
      };
    }
    case '23001':
      return { status: 409, detail: 'This resource is append-only: it cannot be changed or removed' };
    case '23514':
    case '23502':
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22021': // a NUL or invalid byte in text (the request guards reject NUL before it gets here)
    case '22P05': // a \u0000 escape in a json value
      return { status: 400, detail: 'A value is not valid for its column' };
    case '57014':
      return { status: 503, detail: 'The database did not answer in time' };
    default:
      return null;
  }
}

/** Seconds a client should wait before retrying while PostgreSQL is unreachable (like readiness). */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * PostgreSQL unreachable or going away (refused, reset, timed out connecting, shutting down): the
 * request may succeed later, so the answer is 503 with Retry-After, not a 500.
 */
function isDatabaseUnavailable(err: Error & { code?: unknown }): boolean {
  const code = typeof err.code === 'string' ? err.code : '';
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EPIPE',
    ].includes(code)
  )
    return true;
  if (/^(08|57P0)/.test(code) || code === '53300') return true; // connection exceptions, admin shutdown, too many connections
  return /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error/i.test(
    err.message,
  );
}

/** The single error handler: every error becomes problem+json; 5xx details are logged, never sent. */
export function errorHandler(error: FastifyError | HttpError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof HttpError) {
    if (error.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, error.statusCode, error.message, error.errors);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = fastifyError.validation.map((v) => ({
      path: `${fastifyError.validationContext ?? 'body'}${v.instancePath || ''}`,
      message: v.message ?? 'is invalid',
    }));
    return sendProblem(reply, 400, 'The request is not valid', errors);
  }
  if (isDatabaseUnavailable(error)) {
    request.log.error({ err: error }, 'database unavailable');
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return sendProblem(reply, 503, 'The database is unavailable; retry later');
  }
  const pg = fromPostgres(error as PgError);
  if (pg) {
    if (pg.status >= 500) request.log.error({ err: error }, 'database error');
    return sendProblem(reply, pg.status, pg.detail, pg.errors);
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, status);
  }
  // Fastify's own 4xx errors (malformed JSON, body too large, unsupported media type…).
  return sendProblem(reply, status, error.message);
}
