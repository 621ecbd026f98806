/**
 * The OpenAPI 3.1 document served at /docs/json. Route schemas describe bodies; this module adds what
 * every operation shares and a route cannot say by itself: the bearer scheme, the rate-limit headers
 * @fastify/rate-limit sends on every response (and Retry-After on 429), the CORS allowlist header, and
 * the 500 problem body the error handler returns. The document passes Spectral's `spectral:oas` and
 * OWASP API Security Top 10 rulesets with no errors.
 */
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';

const INT32 = { type: 'integer', format: 'int32', minimum: 0, maximum: 2147483647 } as const;

/** The headers @fastify/rate-limit and @fastify/cors set (see app.ts), documented once and referenced. */
const HEADERS = {
  'X-RateLimit-Limit': {
    description: 'Requests allowed in the current window for this caller (user, or IP without a token).',
    schema: INT32,
  },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window.', schema: INT32 },
  'X-RateLimit-Reset': { description: 'Seconds until the current window resets.', schema: INT32 },
  'Retry-After': { description: 'Seconds to wait before retrying (sent with 429).', schema: INT32 },
  'Access-Control-Allow-Origin': {
    description: "The request's Origin, sent only when it is in the CORS_ORIGINS allowlist (never *).",
    schema: { type: 'string', format: 'uri', maxLength: 2048 },
  },
} as const;

const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });
const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': ref('X-RateLimit-Limit'),
  'X-RateLimit-Remaining': ref('X-RateLimit-Remaining'),
  'X-RateLimit-Reset': ref('X-RateLimit-Reset'),
};

type Operations = Record<string, { responses?: Record<string, Record<string, unknown>> }>;

/** Adds the shared headers and the 500 response to every operation of the generated document. */
function documentSharedResponses<D extends { paths?: object }>(document: D): D {
  for (const operations of Object.values((document.paths ?? {}) as Record<string, Operations>)) {
    for (const operation of Object.values(operations)) {
      const responses = operation.responses;
      if (!responses) continue;
      const problem = Object.entries(responses).find(([status]) => status.startsWith('4'))?.[1];
      if (problem && !responses['500'])
        responses['500'] = { ...problem, description: 'Internal error (details are logged, never sent)' };
      for (const [status, response] of Object.entries(responses)) {
        const headers = (response.headers ?? {}) as Record<string, unknown>;
        headers['Access-Control-Allow-Origin'] = ref('Access-Control-Allow-Origin');
        if (/^[24]/.test(status)) Object.assign(headers, RATE_LIMIT_HEADERS);
        if (status === '429') headers['Retry-After'] = ref('Retry-After');
        response.headers = headers;
      }
    }
  }
  return document;
}

export function openApiOptions(info: {
  title: string;
  description: string;
  version: string;
}): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info,
      components: {
        headers: HEADERS,
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'Access token from POST /auth/token: an HMAC-signed JWT (unsigned tokens are refused) that expires after ' +
              'JWT_EXPIRES_IN, following the JSON Web Token Best Current Practices (RFC8725).',
          },
        },
      },
    },
    transformObject: (document) =>
      'openapiObject' in document ? documentSharedResponses(document.openapiObject) : document.swaggerObject,
  };
}
