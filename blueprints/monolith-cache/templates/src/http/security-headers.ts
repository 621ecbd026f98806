/**
 * Security headers (helmet's defaults: CSP, HSTS, nosniff, frame protection, …) on every response.
 * They do not depend on the request, so they are computed once, by running helmet's own middleware
 * against a recording response, and app.ts's onRequest hook sets them on every reply. (@fastify/helmet
 * rebuilt helmet's middleware, parsing the CSP directives again, in two hooks on every request: about
 * a twentieth of a cached read's CPU.)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet sets for these options, by lower-case name. */
export function helmetHeaders(options?: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure;
  return headers;
}
