/**
 * Shared static checks parameterised for the serverless blueprint's Worker: its route table
 * (`{ method, path, roles, schema, handler }`, the schema validated by the app before the handler)
 * read like Fastify's routes, readiness without Redis and metrics pushed to Analytics Engine, scrypt
 * at OWASP's cost. Each passes on fresh projects from two specs, and fails on copies broken on purpose
 * in several different ways.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFile, breakFile, checkOnCopy, evidenceText, generate, removeProject, runCheck } from './helpers.js';

const SHARED = ['api.route-schemas', 'api.auth-on-mutations', 'api.list-pagination', 'observability.health-endpoints', 'security.password-hashing', 'delivery.env-example', 'architecture.security-claims'];

let acme: string;
let shop: string;

beforeAll(async () => {
  [acme, shop] = await Promise.all([generate('fn-api', ['--blueprint', 'serverless']), generate('shop', ['--blueprint', 'serverless', '--spec', path.resolve('test/fixtures/specs/shop.yaml')])]);
});

afterAll(async () => {
  await Promise.all([acme, shop].filter(Boolean).map(removeProject));
});

describe('fresh serverless projects', () => {
  for (const id of SHARED)
    it(`${id} passes on the built-in example and on shop.yaml`, async () => {
      for (const dir of [acme, shop]) {
        const r = await runCheck(dir, id);
        expect(r.status, `${path.basename(dir)}: ${r.summary}\n${evidenceText(r)}`).toBe('pass');
      }
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
