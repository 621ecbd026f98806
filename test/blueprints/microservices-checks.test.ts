/**
 * The microservices blueprint's own static checks: they pass on fresh projects from two specs (the
 * built-in example, one service per entity; rentals, explicit services with reserved-word tables) and
 * fail, naming the place, on copies broken on purpose in several different ways. No install needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addFile, breakFile, copyProject, evidenceText, generate, removeProject, runCheck } from '../verify/helpers.js';

let acme: string;
let rentals: string;

beforeAll(async () => {
  [acme, rentals] = await Promise.all([
    generate('acme', ['--blueprint', 'microservices']),
    generate('rentals', ['--blueprint', 'microservices', '--spec', 'test/fixtures/specs/rentals.yaml']),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([acme, rentals].filter(Boolean).map(removeProject));
});

// observability.alert-metrics is shared; here it holds over the event processes' metrics too (the
// consumer's read-model staleness histogram and the alert on it).
const IDS = ['microservices.database-per-service', 'microservices.events-through-outbox', 'microservices.one-hop', 'microservices.manifests', 'observability.alert-metrics'];

describe('fresh projects pass', () => {
  // The monolith's own checks it selects (its services register the same rate limiter and enqueue with
  // the same job options), and the shared audit-log check reading the table from the plan.
  for (const id of [...IDS, 'api.rate-limit', 'async.job-options', 'schema.audit-log-partitioned', 'observability.health-endpoints', 'api.route-schemas', 'api.auth-on-mutations', 'api.error-format', 'architecture.security-claims']) {
    it(`${id} on both specs`, async () => {
      for (const dir of [acme, rentals]) {
        const r = await runCheck(dir, id);
        expect(r.status, `${r.summary}\n${evidenceText(r)}`).toBe('pass');
      }
    });
  }
});

type Project = 'acme' | 'rentals';
/** [check, project, what is broken, the breakage, evidence that must be named] */
const CASES: [string, Project, string, (dir: string) => Promise<void>, RegExp][] = [
  [
    'microservices.database-per-service',
    'acme',
    "a later migration of the task service alters the project service's table",
    (d) => addFile(d, 'migrations/task/0002_peek.sql', '-- Up Migration\nALTER TABLE project ADD COLUMN task_count integer;\n\n-- Down Migration\n'),
    /migrations\/task\/0002_peek\.sql:2 the task service names project/,
  ],
  [
    'microservices.database-per-service',
    'rentals',
    'a foreign key from order to the accounts service\'s "user" table (quoted reserved word)',
    (d) => breakFile(d, 'migrations/sales/0001_initial.sql', '  user_id uuid NOT NULL,', '  user_id uuid NOT NULL REFERENCES "user" (id),'),
    /0001_initial\.sql:\d+ the sales service names user, a table of the accounts service/,
  ],
  [
    'microservices.database-per-service',
    'rentals',
    "the order repository joins the catalog service's film table",
    (d) => breakFile(d, 'src/modules/order/repository.ts', 'FROM "order" WHERE id = ${id}', 'FROM "order" JOIN film ON film.id = "order".film_id WHERE "order".id = ${id}'),
    /src\/modules\/order\/repository\.ts:\d+ the sales service names film/,
  ],
  [
    'microservices.events-through-outbox',
    'acme',
    'a route module publishes to NATS itself',
    (d) => breakFile(d, 'src/modules/team/routes.ts', "import { authorize } from '../../auth/auth.js';", "import { authorize } from '../../auth/auth.js';\nimport { jetstream } from '@nats-io/jetstream';\nexport const publisher = jetstream;"),
    /src\/modules\/team\/routes\.ts:\d+ .*imports the broker client @nats-io\/jetstream/,
  ],
  [
    'microservices.events-through-outbox',
    'rentals',
    'a service module reaches the broker through a helper (transitively)',
    (d) => breakFile(d, 'src/modules/film/service.ts', "import { withTransaction } from '../../db/pool.js';", "import { withTransaction } from '../../db/pool.js';\nimport { connectEvents } from '../../events/nats.js';\nexport const connect = connectEvents;"),
    /src\/events\/nats\.ts:\d+ .*imports the broker client @nats-io/,
  ],
  [
    'microservices.events-through-outbox',
    'acme',
    'mutations no longer write the outbox (the audit writes without their event: writeAudit and the one-statement create)',
    async (d) => {
      await breakFile(d, 'src/db/audit.ts', /INSERT INTO outbox \(subject, payload\) VALUES \([^)]*\)\)?/, 'SELECT 1');
      await breakFile(d, 'src/db/audit.ts', /INSERT INTO outbox \(subject, payload\)\n\s*/, '');
    },
    /no module loaded by the API process inserts into the outbox/,
  ],
  [
    'microservices.one-hop',
    'acme',
    'the task service calls the project service over HTTP',
    (d) =>
      breakFile(
        d,
        'src/modules/task/service.ts',
        "const ENTITY = 'task';",
        "const ENTITY = 'task';\nexport const projectOf = (url: string, id: string) => fetch(`${url}/projects/${id}`);",
      ),
    /src\/modules\/task\/service\.ts:\d+ makes an HTTP call \(fetch\(\) outside the gateway/,
  ],
  [
    'microservices.one-hop',
    'rentals',
    "a service reads another service's URL from the configuration",
    (d) => breakFile(d, 'src/modules/order/service.ts', "const ENTITY = 'order';", "const ENTITY = 'order';\nexport const catalog = (c: { CATALOG_SERVICE_URL: string }) => c.CATALOG_SERVICE_URL;"),
    /src\/modules\/order\/service\.ts:\d+ reads CATALOG_SERVICE_URL/,
  ],
  ['microservices.manifests', 'acme', 'the gateway image on :latest', (d) => breakFile(d, 'k8s/gateway.yaml', 'image: acme:0.1.0', 'image: acme:latest'), /k8s\/gateway\.yaml:\d+ Deployment\/gateway: container gateway image acme:latest is not pinned/],
  ['microservices.manifests', 'acme', 'a readiness probe removed', (d) => breakFile(d, 'k8s/team-api.yaml', 'readinessProbe:', 'startupProbe:'), /Deployment\/team-api: container team-api has no readinessProbe/],
  [
    'microservices.manifests',
    'rentals',
    "a Service whose selector matches no Deployment's pods",
    (d) => breakFile(d, 'k8s/sales-api.yaml', /(kind: Service[\s\S]*?selector:\n {4}app\.kubernetes\.io\/name: )'sales-api'/, "$1'sales'"),
    /k8s\/sales-api\.yaml:\d+ Service\/sales-api: selects no pods of a Deployment or StatefulSet/,
  ],
  ['microservices.manifests', 'rentals', 'a referenced Secret no longer declared', (d) => breakFile(d, 'k8s/config.yaml', 'name: sales-database', 'name: sales-db'), /Deployment\/sales-relay: references Secret sales-database, which no manifest declares/],
  [
    'microservices.manifests',
    'acme',
    "a service's API opened to any source",
    (d) => breakFile(d, 'k8s/network-policy.yaml', /(name: team-api-ingress[\s\S]*?ingress:\n)    - from:\n        - podSelector:\n            matchLabels:\n              app\.kubernetes\.io\/name: gateway\n      ports:/, '$1    - ports:'),
    /NetworkPolicy\/team-api-ingress: opens team-api to any source/,
  ],
  [
    'observability.alert-metrics',
    'rentals',
    "the consumer's staleness histogram renamed: the ReadModelStale alert reads a series nobody exports",
    (d) => breakFile(d, 'src/events/metrics.ts', "name: 'read_model_event_age_seconds'", "name: 'read_model_lag_seconds'"),
    /alert ReadModelStale reads read_model_event_age_seconds_bucket, which the app does not export/,
  ],
  [
    'observability.alert-metrics',
    'acme',
    'the staleness alert edited to read a histogram the consumer does not have',
    (d) => breakFile(d, 'monitoring/alerts.yml', 'rate(read_model_event_age_seconds_bucket[10m])', 'rate(read_model_staleness_seconds_bucket[10m])'),
    /alert ReadModelStale reads read_model_staleness_seconds_bucket, which the app does not export/,
  ],
  // Each HTTP process's readiness judged by its own dependencies (plan.httpProcesses): the gateway pings
  // Redis, each service queries PostgreSQL and pings Redis.
  ['observability.health-endpoints', 'acme', "the gateway's readiness no longer pings Redis", (d) => breakFile(d, 'src/gateway/app.ts', 'const ok = await redis.ping().then(', 'const ok = await Promise.resolve().then('), /src\/gateway\/app\.ts:\d+ GET \/health\/ready does not ping Redis/],
  ['observability.health-endpoints', 'rentals', "the services' readiness no longer queries PostgreSQL", (d) => breakFile(d, 'src/http/health.ts', 'withTimeout(app.db.query(sql`SELECT 1`), 1000,', 'withTimeout(Promise.resolve(), 1000,'), /src\/http\/health\.ts:\d+ GET \/health\/ready does not query PostgreSQL/],
  ['observability.health-endpoints', 'rentals', 'the gateway serves no liveness route', (d) => breakFile(d, 'src/gateway/app.ts', /'\/health\/live',(\s*\{ schema)/, "'/health/alive',$1"), /no liveness route \(GET \/health\/live\) of the gateway process \(src\/gateway\/\)/],
  ['observability.health-endpoints', 'acme', "the gateway's readiness answers 200 even with Redis down", (d) => breakFile(d, 'src/gateway/app.ts', ": sendProblem(reply, 503, 'Redis is not reachable');", ": { status: 'degraded' };"), /src\/gateway\/app\.ts:\d+ GET \/health\/ready has no path answering 503/],
  // Each HTTP process judged on its own (plan.httpProcesses): the gateway's own routes validate and
  // authorize like any route; only its pass-through wildcard forwards to the services' routes.
  ['api.route-schemas', 'acme', "the gateway's liveness route loses its schema", (d) => breakFile(d, 'src/gateway/app.ts', /('\/health\/live',)\s*\{ schema: [^\n]*\n/, '$1\n'), /src\/gateway\/app\.ts:\d+ GET \/health\/live has no schema/],
  ['api.route-schemas', 'rentals', "the gateway's pass-through becomes a route of its own (no wildcard)", (d) => breakFile(d, 'src/gateway/app.ts', "url: '/*', handler: forward", "url: '/:resource', handler: forward"), /src\/gateway\/app\.ts:\d+ GET,POST,PUT,PATCH,DELETE \/:resource has no schema/],
  ['api.route-schemas', 'rentals', "a service's create route loses its body schema", (d) => breakFile(d, 'src/modules/film/routes.ts', 'body: CreateFilmBody,', ''), /src\/modules\/film\/routes\.ts:\d+ POST \/films.*schema has no body/],
  ['api.auth-on-mutations', 'acme', "a service's create route loses its authorization", (d) => breakFile(d, 'src/modules/team/routes.ts', "preValidation: authorize(['editor', 'admin']),", ''), /src\/modules\/team\/routes\.ts:\d+ POST \/teams has no authentication hook/],
  [
    'api.auth-on-mutations',
    'rentals',
    'the gateway answers a mutation of its own without authentication',
    (d) => breakFile(d, 'src/gateway/app.ts', '  app.get(\n    \'/openapi.json\',', "  app.post('/cache/flush', { schema: { response: { 204: { type: 'null' } } } }, async (_request, reply) => reply.code(204).send());\n  app.get(\n    '/openapi.json',"),
    /src\/gateway\/app\.ts:\d+ POST \/cache\/flush has no authentication hook/,
  ],
  ['api.error-format', 'acme', 'a second error handler in the gateway', (d) => breakFile(d, 'src/gateway/app.ts', '  // Bodies are passed through as they came.', '  app.setErrorHandler((error, _request, reply) => reply.send(error));\n  // Bodies are passed through as they came.'), /src\/gateway\/app\.ts:\d+ more than one error handler/],
  ['api.error-format', 'rentals', 'the gateway has no error handler of its own', (d) => breakFile(d, 'src/gateway/app.ts', 'app.setErrorHandler(', 'void ('), /no app\.setErrorHandler\(\.\.\.\) of the gateway process \(src\/gateway\/\)/],
  ['architecture.security-claims', 'acme', 'the record claims authentication while a service route has none', (d) => breakFile(d, 'src/modules/team/routes.ts', "preValidation: authorize(['editor', 'admin']),", ''), /claims Authentication, but api\.auth-on-mutations fails/],
  // The NATS broker's StatefulSet (k8s/nats.yaml) is held to the same rules, plus its own.
  ['microservices.manifests', 'acme', "the broker's governing Service is no longer headless", (d) => breakFile(d, 'k8s/nats.yaml', 'clusterIP: None', 'type: ClusterIP'), /k8s\/nats\.yaml:\d+ StatefulSet\/nats: serviceName nats is not a declared headless Service/],
  ['microservices.manifests', 'rentals', 'the broker may run as root', (d) => breakFile(d, 'k8s/nats.yaml', 'runAsNonRoot: true', 'runAsNonRoot: false'), /k8s\/nats\.yaml:\d+ StatefulSet\/nats: pods may run as root/],
  ['microservices.manifests', 'acme', "the broker's volume claim renamed: its data mount names no volume", (d) => breakFile(d, 'k8s/nats.yaml', /(volumeClaimTemplates:\n {4}- metadata:\n {8}name: )data/, '$1storage'), /StatefulSet\/nats: container nats mounts data, which is no volume of the pod/],
  ['microservices.manifests', 'rentals', "the broker's liveness probe removed", (d) => breakFile(d, 'k8s/nats.yaml', 'livenessProbe:', 'startupProbe:'), /StatefulSet\/nats: container nats has no livenessProbe/],
  [
    'microservices.manifests',
    'acme',
    'the broker opened to any source',
    (d) => breakFile(d, 'k8s/network-policy.yaml', /(name: nats-ingress[\s\S]*?ingress:\n)    - from:[\s\S]*?\n      ports:/, '$1    - ports:'),
    /NetworkPolicy\/nats-ingress: opens nats to any source/,
  ],
  ['microservices.manifests', 'acme', 'the default deny-ingress policy removed', (d) => breakFile(d, 'k8s/network-policy.yaml', 'policyTypes: [Ingress]\n---', 'policyTypes: [Egress]\n---'), /no NetworkPolicy denies ingress by default/],
];

describe('projects broken on purpose fail, naming the place', () => {
  for (const [id, project, what, breakIt, evidence] of CASES) {
    it(`${id}: ${what}`, async () => {
      const copy = await copyProject(project === 'acme' ? acme : rentals);
      try {
        await breakIt(copy);
        const r = await runCheck(copy, id);
        expect(r.status).toBe('fail');
        expect(evidenceText(r)).toMatch(evidence);
      } finally {
        await removeProject(copy);
      }
    });
  }
});
