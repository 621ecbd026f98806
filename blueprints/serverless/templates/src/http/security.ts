/**
 * Security headers on every response (routes, 404s, errors) and CORS from an allowlist: an origin is
 * allowed only when it equals one of CORS_ORIGINS exactly; a preflight from any other origin gets no
 * Access-Control-Allow-Origin.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

const ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, x-request-id';
const ALLOWED_METHODS = 'GET, POST, PATCH, DELETE, OPTIONS';

function allowedOrigin(request: Request, origins: readonly string[]): string | null {
  const origin = request.headers.get('origin');
  return origin !== null && origins.includes(origin) ? origin : null;
}

/** The answer to a CORS preflight (OPTIONS with Access-Control-Request-Method). */
export function preflight(request: Request, origins: readonly string[]): Response {
  const origin = allowedOrigin(request, origins);
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-methods'] = ALLOWED_METHODS;
    headers['access-control-allow-headers'] = ALLOWED_HEADERS;
    headers['access-control-max-age'] = '600';
  }
  return new Response(null, { status: 204, headers });
}

/** The response with the security headers, CORS headers for an allowed origin, and the request id. */
export function secured(response: Response, request: Request, origins: readonly string[], requestId: string): Response {
  const out = new Response(response.body, response);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) out.headers.set(k, v);
  out.headers.delete('x-powered-by');
  out.headers.set('x-request-id', requestId);
  const origin = allowedOrigin(request, origins);
  out.headers.append('vary', 'Origin');
  if (origin) {
    out.headers.set('access-control-allow-origin', origin);
    out.headers.set('access-control-expose-headers', 'location, retry-after, x-request-id');
  }
  return out;
}
