/**
 * The API's edges: what answers before (or around) a route handler, so that every error a client can
 * provoke is a problem+json response with the right status, and no input can reach PostgreSQL in a
 * form it rejects with a 500.
 *  - NUL characters (PostgreSQL text cannot hold U+0000) in a body, query or path parameter → 400;
 *  - any other error response that is not problem+json yet (a plugin's text/plain answer, such as
 *    @fastify/cors rejecting a malformed preflight) is rewritten as one;
 *  - malformed HTTP, oversized headers (431), request timeouts (408) and unsupported `Expect` headers
 *    (417) are answered by Node before Fastify sees a request: they get a problem+json body too.
 */
import type { Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  DoneFuncWithErrOrRes,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { HttpError, problemTitle } from './problem.js';

/** Path of the first string holding U+0000 in a parsed JSON value, or null. Iterative: no recursion limit. */
export function findNul(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return path;
    } else if (Array.isArray(item)) {
      item.forEach((v, i) => stack.push([v, `${path}/${i}`]));
    } else if (item && typeof item === 'object') {
      for (const [k, v] of Object.entries(item)) {
        if (k.includes('\u0000')) return `${path}/${k.replaceAll('\u0000', '\\u0000')}`;
        stack.push([v, `${path}/${k}`]);
      }
    }
  }
  return null;
}

/** preValidation, callback-style like every hook on the hot path (no promise per request). */
function rejectNulCharacters(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  for (const [part, value] of [
    ['params', request.params],
    ['querystring', request.query],
    ['body', request.body],
  ] as const) {
    const path = findNul(value, part);
    if (path)
      return done(
        new HttpError(400, 'The request is not valid', [
          { path, message: 'must not contain the NUL character (U+0000)' },
        ]),
      );
  }
  done();
}

function problemBody(status: number, detail?: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'about:blank',
    title: problemTitle(status),
    status,
    ...(detail ? { detail } : {}),
    ...extra,
  });
}

/**
 * onSend: error responses that are not problem+json yet (a plugin answered by itself) become
 * problem+json. Callback-style (no promise per request).
 */
function errorsAsProblems(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: DoneFuncWithErrOrRes,
): void {
  const type = String(reply.getHeader('content-type') ?? '');
  if (reply.statusCode < 400 || type.startsWith('application/problem+json')) return done(null, payload);
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
  const detail = type.startsWith('text/plain') && text.length > 0 && text.length <= 200 ? text : undefined;
  reply.type('application/problem+json');
  done(null, problemBody(reply.statusCode, detail, { instance: request.url, requestId: request.id }));
}

/** For Fastify's `clientErrorHandler` option: Node could not parse a request (no route ever saw it). */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy(err);
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = problemBody(status, status === 400 ? 'Malformed HTTP request' : undefined);
  socket.end(
    `HTTP/1.1 ${status} ${problemTitle(status)}\r\nConnection: close\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Node answers an `Expect` header other than 100-continue with a bare 417; this gives it a body. */
function answerExpectation(_request: IncomingMessage, response: ServerResponse): void {
  const body = problemBody(417, 'Only "Expect: 100-continue" is supported');
  response.writeHead(417, {
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  response.end(body);
}

/** Registers the guards on the root instance (before the routes, so they apply to all of them). */
export function registerGuards(app: FastifyInstance): void {
  app.addHook('preValidation', rejectNulCharacters);
  app.addHook('onSend', errorsAsProblems);
  app.server.on('checkExpectation', answerExpectation);
}
