/**
 * The fetch handler: request id → configuration → CORS preflight → route match → rate limit →
 * authentication and roles → handler; every error becomes problem+json; every response carries the
 * security headers and the request id; one JSON log line and one metrics data point per request.
 */
import { authenticate, authorize } from '../auth/auth.js';
import { authRoutes } from '../auth/routes.js';
import { ConfigError, loadConfig, type WorkerEnv } from '../env.js';
import { jobRoutes } from '../jobs/routes.js';
import { entityRoutes } from '../modules/index.js';
import { createLogger } from '../observability/log.js';
import { recordRequest } from '../observability/metrics.js';
import { lazyDatabase, type RequestContext } from './context.js';
import { healthRoutes } from './health.js';
import { openApiRoutes } from './openapi.js';
import { classify, HttpError, problemResponse } from './problem.js';
import { enforceRateLimit } from './rate-limit.js';
import { match, type HttpRoute } from './router.js';
import { preflight, secured } from './security.js';
import { readInput } from './validate.js';

const API_ROUTES: HttpRoute[] = [...healthRoutes, ...authRoutes, ...entityRoutes, ...jobRoutes];
/** The API's routes and GET /openapi.json, the document built from their schemas. */
const ROUTES: HttpRoute[] = [...API_ROUTES, ...openApiRoutes(API_ROUTES)];

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function handleRequest(request: Request, env: WorkerEnv, execution: ExecutionContext): Promise<Response> {
  const started = Date.now();
  const given = request.headers.get('x-request-id');
  const requestId = given !== null && REQUEST_ID.test(given) ? given : crypto.randomUUID();
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    // A deployment mistake, not the client's: logged with the variable's name, answered 500.
    console.error(
      JSON.stringify({
        level: 'error',
        msg: 'invalid configuration',
        requestId,
        err: (err as Error).message,
        config: err instanceof ConfigError,
      }),
    );
    return secured(problemResponse(500, { url: request.url, requestId }), request, [], requestId);
  }
  const url = new URL(request.url);
  const log = createLogger(config.LOG_LEVEL, { requestId });
  if (request.method === 'OPTIONS' && request.headers.has('access-control-request-method'))
    return secured(preflight(request, config.CORS_ORIGINS), request, config.CORS_ORIGINS, requestId);
  const database = lazyDatabase(env, config);
  let route = 'unmatched';
  let response: Response;
  let rateLimit: Record<string, string> = {};
  try {
    const found = match(ROUTES, request.method, url.pathname);
    const auth = await authenticate(request, config);
    if (!(found && 'route' in found && found.route.path.startsWith('/health/')))
      rateLimit = await enforceRateLimit(env, request, auth);
    if (!found) throw new HttpError(404, `No route for ${request.method} ${url.pathname}`);
    if ('allowed' in found)
      throw new HttpError(405, `${request.method} is not allowed here`, undefined, { allow: found.allowed.join(', ') });
    route = found.route.path;
    if (found.route.roles) authorize(auth, found.route.roles);
    const ctx: RequestContext = {
      request,
      url,
      env,
      config,
      execution,
      id: requestId,
      auth,
      log,
      db: database.db,
      close: database.close,
    };
    response = await found.route.handler(ctx, await readInput(request, url, found.route.schema, found.params));
  } catch (err) {
    const outcome =
      err instanceof URIError ? { status: 400, detail: 'The path is not valid', internal: false } : classify(err);
    if (outcome.internal) log.error('request failed', { err, method: request.method, route });
    response = problemResponse(
      outcome.status,
      { url: request.url, requestId },
      outcome.detail,
      'errors' in outcome ? outcome.errors : undefined,
      'headers' in outcome ? outcome.headers : {},
    );
  } finally {
    execution.waitUntil(database.close());
  }
  if (Object.keys(rateLimit).length > 0) {
    response = new Response(response.body, response); // a handler's headers may be immutable
    for (const [name, value] of Object.entries(rateLimit))
      if (!response.headers.has(name)) response.headers.set(name, value);
  }
  const durationMs = Date.now() - started;
  recordRequest(env, request.method, route, response.status, durationMs);
  log.info('request', { method: request.method, route, status: response.status, durationMs });
  return secured(response, request, config.CORS_ORIGINS, requestId);
}
