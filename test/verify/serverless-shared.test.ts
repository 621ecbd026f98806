/**
 * Shared static checks parameterised for the serverless blueprint's Worker: its route table
 * (`{ method, path, roles, schema, handler }`, the schema validated by the app before the handler)
 * read like Fastify's routes, readiness without Redis and metrics pushed to Analytics Engine, scrypt
 * at OWASP's cost, the fetch handler's error boundary (problem+json), JSON log lines with request ids
 * on the HTTP and the queue path, Grafana alert rules over the Analytics Engine dataset the Worker
 * writes with the seed thresholds, and the record's monitoring section naming those rules. Each passes on fresh projects from two specs, and fails on copies broken on purpose
 * in several different ways.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFile, breakFile, checkOnCopy, evidenceText, expectPassOnEach, generateExampleAndSpec, removeProject, runCheck } from './helpers.js';

const SHARED = [
  'api.route-schemas',
  'api.auth-on-mutations',
  'api.list-pagination',
  'api.error-format',
  'observability.health-endpoints',
  'observability.structured-logs',
  'observability.alert-metrics',
  'observability.alert-thresholds',
  'security.password-hashing',
  'delivery.env-example',
  'architecture.security-claims',
  'architecture.scaling-monitoring',
];

let acme: string;
let shop: string;

beforeAll(async () => {
  [acme, shop] = await generateExampleAndSpec('fn-api', 'shop.yaml', ['--blueprint', 'serverless']);
});

afterAll(async () => {
  await Promise.all([acme, shop].filter(Boolean).map(removeProject));
});

describe('fresh serverless projects', () => {
  for (const id of SHARED)
    it(`${id} passes on the built-in example and on shop.yaml`, async () => {
      await expectPassOnEach([acme, shop], id);
    });
});

const TEAM = 'src/modules/team/handlers.ts';

describe('api.route-schemas fails on', () => {
  const id = 'api.route-schemas';
  it('a route without a schema', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, "roles: PERMISSIONS.read, schema: SCHEMAS.read, handler: read }", "roles: PERMISSIONS.read, handler: read } as never"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/GET \/teams\/:id has no schema/);
  });
  it('a create whose schema lost its body (the handler still reads one)', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, '    body: CreateTeamBody,\n', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/POST \/teams: schema has no body/);
  });
  it('a handler that parses the raw body itself, its schema declaring none (moved to a renamed helper)', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, 'src/auth/routes.ts', '      body: TokenBody,\n', '');
        await breakFile(d, 'src/auth/routes.ts', 'async handler(ctx, { body }) {', 'async handler(ctx) {\n      const body = (await ctx.request.json()) as { email: string; password: string };');
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/POST \/auth\/token: schema has no body/);
  });
  it('a body schema that accepts anything', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, '    body: CreateTeamBody,\n', '    body: Type.Any(),\n'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/the body schema is Type\.Any\(\)/);
  });
  it('a route without a response map', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, "    response: { 200: TeamSchema, ...problemResponses(400, 401, 403, 404, 429, 503) },\n  },\n  list", '  },\n  list'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/GET \/teams\/:id: schema has no response/);
  });
});

describe('api.auth-on-mutations fails on', () => {
  const id = 'api.auth-on-mutations';
  it('a mutating route made public (roles: null)', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, "path: '/teams/:id', roles: PERMISSIONS.delete", "path: '/teams/:id', roles: null"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/DELETE \/teams\/:id is public \(roles: null\)/);
  });
  it('a public route through a renamed constant', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, TEAM, 'const PERMISSIONS = ROLES_FOR.team;', 'const PERMISSIONS = ROLES_FOR.team;\nconst ANYONE = null;');
        await breakFile(d, TEAM, "path: '/teams', roles: PERMISSIONS.write", "path: '/teams', roles: ANYONE");
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/POST \/teams is public \(roles: ANYONE\)/);
  });
  it('a router that no longer authorizes the matched route\'s roles', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/http/app.ts', 'if (found.route.roles) authorize(auth, found.route.roles);', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/no code authorizes a route's roles/);
  });
  it('still passes when the router reads the roles through a renamed variable', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/http/app.ts', 'if (found.route.roles) authorize(auth, found.route.roles);', 'const allowed = found.route.roles;\n    if (allowed) authorize(auth, allowed);'), id);
    expect(r.status, evidenceText(r)).toBe('pass');
  });
});

describe('api.list-pagination fails on', () => {
  const id = 'api.list-pagination';
  it('a list without a cursor', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/modules/team/schemas.ts', /    cursor: Type\.Optional\([\s\S]*?\),\n    sort/, '    sort'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/GET \/teams: querystring schema lacks cursor/);
  });
  it('an unbounded limit', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/modules/team/schemas.ts', 'maximum: MAX_PAGE_SIZE, ', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/GET \/teams: querystring schema limit has no maximum/);
  });
  it('a list route whose schema lost its querystring', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, '    querystring: ListTeamsQuery,\n', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/GET \/teams: querystring schema lacks cursor, limit/);
  });
  it('a list route that is gone', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, /  route\(\{ method: 'GET', path: '\/teams', [^\n]*\n/, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/GET \/teams \(the team list\) not found/);
  });
});

describe('observability.health-endpoints fails on', () => {
  const id = 'observability.health-endpoints';
  it('readiness that never answers 503', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/http/health.ts', 'return problemResponse(\n          503,', 'return problemResponse(\n          200,'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/GET \/health\/ready has no path answering 503/);
  });
  it('readiness that does not query PostgreSQL', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/http/health.ts', 'await db.query(sql`SELECT 1`);', 'void db;'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/does not query PostgreSQL/);
  });
  it('no data point written to Analytics Engine', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/observability/metrics.ts', /env\.METRICS\.writeDataPoint\(/g, 'void ('), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/no \.writeDataPoint\(…\) call in src\/: no metrics reach Workers Analytics Engine/);
  });
  it('no liveness route', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/http/health.ts', "path: '/health/live'", "path: '/status'"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/no liveness route/);
  });
});

describe('security.password-hashing fails on', () => {
  const id = 'security.password-hashing';
  const FILE = 'src/auth/passwords.ts';
  it("scrypt below OWASP's cost (N lowered)", async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, FILE, 'const N = 2 ** 15;', 'const N = 2 ** 12;'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/N=4096, r=8, p=3 — below OWASP's minimum/);
  });
  it('scrypt with parallelism 1 at N=2^15', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, FILE, 'const P = 3;', 'const P = 1;'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/N=32768, r=8, p=1 — below/);
  });
  it("scrypt with the options left out (Node's defaults: N=2^14, p=1)", async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, FILE, ', { N: n, r, p, maxmem: MAX_MEMORY }', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/N=16384, r=8, p=1 — below/);
  });
  it('a plain SHA-256 instead of a password hash', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await addFile(d, FILE, "import { createHash } from 'node:crypto';\nexport async function hashPassword(password: string): Promise<string> {\n  return createHash('sha256').update(password).digest('hex');\n}\n");
      },
      id,
    );
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/No password hashing with argon2\/bcrypt\/scrypt/);
  });
  it('passes at another OWASP configuration (N=2^17, p=1)', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        await breakFile(d, FILE, 'const N = 2 ** 15;', 'const N = 2 ** 17;');
        await breakFile(d, FILE, 'const P = 3;', 'const P = 1;');
      },
      id,
    );
    expect(r.status, evidenceText(r)).toBe('pass');
  });
});

describe('delivery.env-example fails on', () => {
  const id = 'delivery.env-example';
  it('a variable the Worker validates that .env.example lost', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, '.env.example', /^JWT_SECRET=.*$/m, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/env\.ts:\d+ JWT_SECRET is read here but not in \.env\.example/);
  });
  it('a new variable added to the configuration but not documented', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/env.ts', "    LOG_LEVEL: oneOf(", "    SENTRY_DSN: text(env, 'SENTRY_DSN' as never, ''),\n    LOG_LEVEL: oneOf("), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/SENTRY_DSN is read here but not in \.env\.example/);
  });
  it('.env.example removed', async () => {
    const r = await checkOnCopy(acme, async (d) => { const { rm } = await import('node:fs/promises'); await rm(path.join(d, '.env.example')); }, id);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/\.env\.example is missing/);
  });
});

describe('architecture.security-claims on a Worker', () => {
  const id = 'architecture.security-claims';
  it('confirms rate limiting by the dynamic 429 check (the binding is the platform\'s)', async () => {
    const r = await runCheck(acme, id);
    expect(evidenceText(r)).toMatch(/Rate limiting: dynamic\.rate-limit-429 pass/);
  });
  it('fails when the record claims authentication and a mutating route is public', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, "path: '/teams/:id', roles: PERMISSIONS.delete", "path: '/teams/:id', roles: null"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/claims Authentication, but api\.auth-on-mutations fails/);
  });
  it('fails when the record claims input validation and a route lost its body schema', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, TEAM, '    body: CreateTeamBody,\n', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/claims Input validation, but api\.route-schemas fails/);
  });
});

describe('async.enqueue-202 on a Worker', () => {
  const id = 'async.enqueue-202';
  const ROUTES = 'src/jobs/routes.ts';
  it('passes on the built-in example: 202 through the enqueue helper, the `queue` export consumes', async () => {
    const r = await runCheck(acme, id);
    expect(r.status, evidenceText(r)).toBe('pass');
    expect(evidenceText(r)).toMatch(/export default \{ queue \}/);
  });
  it('passes on shop.yaml (its jobs too)', async () => {
    const r = await runCheck(shop, id);
    expect(r.status, evidenceText(r)).toBe('pass');
  });
  it('fails when the job route answers 200', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ROUTES, "return json(202, { jobId, status: 'queued', statusUrl: url }, { location: url });", "return json(200, { jobId, status: 'queued', statusUrl: url }, { location: url });"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/POST \/projects\/:id\/jobs\/export-project: the handler never answers 202/);
  });
  it('fails when the Worker no longer exports a queue handler', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/index.ts', '  queue: handleQueueBatch,\n', ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/no `export default \{ queue \}` \(Cloudflare Queues\) reachable from src\/index\.ts/);
  });
  it('still passes when the queue handler is written as a method', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/index.ts', '  queue: handleQueueBatch,\n', '  async queue(batch, env, ctx) {\n    return handleQueueBatch(batch, env, ctx);\n  },\n'), id);
    expect(r.status, evidenceText(r)).toBe('pass');
  });
});

const APP = 'src/http/app.ts';
const ALERTS = 'monitoring/alerts.yml';

describe('api.error-format on a Worker', () => {
  const id = 'api.error-format';
  it('passes on the built-in example: the fetch handler\'s catch answers problem+json, the 404 is raised inside it', async () => {
    const r = await runCheck(acme, id);
    expect(evidenceText(r)).toMatch(/src\/http\/app\.ts:\d+ unmatched routes: new HttpError\(404/);
  });
  it('fails when the catch rethrows what it does not recognise', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, APP, '  } catch (err) {\n    const outcome =', '  } catch (err) {\n    if (!(err instanceof HttpError)) throw err;\n    const outcome ='), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/an error boundary's catch rethrows: throw err/);
  });
  it('fails when an unmatched route answers a plain-text 404 outside the boundary', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, APP, 'if (!found) throw new HttpError(404, `No route for ${request.method} ${url.pathname}`);', "if (!found) return new Response('Not found', { status: 404 });"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/no 404 is raised inside the fetch handler/);
    expect(evidenceText(r)).toMatch(/ad-hoc error body with status 404: new Response\('Not found'/);
  });
  it('fails when the problem body is sent as plain application/json', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/http/problem.ts', "'content-type': 'application/problem+json'", "'content-type': 'application/json'"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/has no try\/catch whose catch answers application\/problem\+json/);
  });
  it('fails when a route answers its own error body through the JSON helper', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/http/health.ts', /return problemResponse\(\n\s*503,[\s\S]*?\);/, "return json(503, { status: 'unavailable' });"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/http\/health\.ts:\d+ ad-hoc error body with status 503: json\(503/);
  });
  it('still passes when the problem builder is renamed', async () => {
    const r = await checkOnCopy(
      acme,
      async (d) => {
        for (const f of [APP, 'src/http/problem.ts', 'src/http/health.ts']) await breakFile(d, f, /\bproblemResponse\b/g, 'toProblem');
      },
      id,
    );
    expect(r.status, evidenceText(r)).toBe('pass');
  });
});

describe('observability.structured-logs on a Worker (HTTP and queue paths judged apart)', () => {
  const id = 'observability.structured-logs';
  it('passes on the built-in example with both paths', async () => {
    const r = await runCheck(acme, id);
    expect(evidenceText(r)).toMatch(/HTTP \(fetch\): \d+ log call\(s\), each with a request id/);
    expect(evidenceText(r)).toMatch(/queue consumer \(queue\): \d+ log call\(s\), each with a request id/);
  });
  it('fails on the HTTP path only when the request logger loses its request id', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, APP, 'createLogger(config.LOG_LEVEL, { requestId })', 'createLogger(config.LOG_LEVEL)'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/HTTP \(fetch\): .* the line carries no request id/);
    expect(evidenceText(r)).toMatch(/queue consumer \(queue\): \d+ log call\(s\), each with a request id/);
  });
  it('fails on the queue path only when the per-message logger loses the message\'s request id', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/jobs/consumer.ts', 'log.child({ messageId: message.id, requestId: message.body.requestId })', 'log.child({ messageId: message.id })'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/queue consumer \(queue\): .*job completed.* the line carries no request id/);
    expect(evidenceText(r)).toMatch(/HTTP \(fetch\): \d+ log call\(s\), each with a request id/);
  });
  it('fails when the logger writes plain text lines', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/observability/log.ts', 'const text = JSON.stringify(line);', 'const text = `${at} ${msg}`;'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/observability\/log\.ts:\d+ console\.\w+\(text\) is not one JSON object per line/);
  });
  it('fails when a route handler logs with console instead of the request logger', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/jobs/routes.ts', "ctx.log.error('could not enqueue', { err, job: name });", "console.error('could not enqueue', err);"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/src\/jobs\/routes\.ts:\d+ console\.error\('could not enqueue', err\) is not one JSON object per line/);
  });
});

describe('observability.alert-metrics on a Worker', () => {
  const id = 'observability.alert-metrics';
  it('passes on the built-in example: the rules read the dataset and kinds the Worker writes, and job_runs', async () => {
    const r = await runCheck(acme, id);
    expect(evidenceText(r)).toMatch(/HighErrorRate: fn_api_events \('request'\) written at src\/observability\/metrics\.ts:\d+/);
    expect(evidenceText(r)).toMatch(/DeadLetters: table job_runs/);
  });
  it('fails when a rule reads a dataset the Worker does not write', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, "FROM fn_api_events WHERE blob1 = 'request' AND timestamp > NOW() - INTERVAL '5' MINUTE", "FROM fn_api_requests WHERE blob1 = 'request' AND timestamp > NOW() - INTERVAL '5' MINUTE"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/alert HighErrorRate reads fn_api_requests, which the app neither writes/);
  });
  it('fails when a rule selects an event kind the Worker never writes', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, "AS p95_ms FROM fn_api_events WHERE blob1 = 'request'", "AS p95_ms FROM fn_api_events WHERE blob1 = 'http_request'"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/alert SlowResponses reads fn_api_events data points of kind 'http_request', which the app never writes/);
  });
  it('fails when the Worker stops writing the status the error-rate rule reads', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'src/observability/metrics.ts', 'doubles: [durationMs, status],', 'doubles: [durationMs],'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/alert HighErrorRate reads double2 of 'request' data points, which carry 1 double\(s\)/);
  });
  it('fails when a rule reads a table no migration creates', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, "FROM job_runs WHERE status = 'dead'", "FROM dead_jobs WHERE status = 'dead'"), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/alert DeadLetters reads dead_jobs/);
  });
});

describe('observability.alert-thresholds on a Worker', () => {
  const id = 'observability.alert-thresholds';
  it('passes on the built-in example, saying why no pool alert is asked (Hyperdrive pools)', async () => {
    const r = await runCheck(acme, id);
    expect(evidenceText(r)).toMatch(/connection pool > 80%: not asked — connections go through Cloudflare Hyperdrive/);
  });
  it('fails when the error-rate threshold is above 1%', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, 'params: [0.01]', 'params: [0.05]'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/error rate > 1% for 5 minutes: HighErrorRate has threshold > 0\.05/);
  });
  it('fails when the p95 threshold is 500 ms', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, 'params: [200]', 'params: [500]'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/p95 latency > 200 ms for 10 minutes: SlowResponses has threshold > 500/);
  });
  it('fails when the p95 rule must hold for 30 minutes', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, /(title: SlowResponses\n\s+condition: THRESHOLD\n\s+)for: 10m/, '$1for: 30m'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/SlowResponses has threshold > 200 for 30m/);
  });
  it('fails when the latency query does not say its unit', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, 'AS p95_ms FROM', 'AS p95 FROM'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/SlowResponses has threshold > 200 \(unit unknown/);
  });
  it('fails when the error-rate rule counts something else than 5xx', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, 'double2 >= 500', 'double2 >= 400'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/error rate > 1% for 5 minutes: no alert rule/);
  });
});

describe('architecture.scaling-monitoring on a Worker', () => {
  const id = 'architecture.scaling-monitoring';
  it('fails when an alert rule the record names is renamed in monitoring/alerts.yml', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, ALERTS, 'title: SlowResponses', 'title: SlowRequests'), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/names alert SlowResponses, which monitoring\/alerts\.yml does not define/);
    expect(evidenceText(r)).toMatch(/alert SlowRequests is not part of the record's monitoring strategy/);
  });
  it('fails when the record stops naming a rule that exists', async () => {
    const r = await checkOnCopy(acme, (d) => breakFile(d, 'docs/architecture.md', /^\| `DeadLetters` .*\n/m, ''), id);
    expect(r.status).toBe('fail');
    expect(evidenceText(r)).toMatch(/alert DeadLetters is not part of the record's monitoring strategy/);
  });
});
