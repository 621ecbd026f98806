// @ts-check
/**
 * The serverless blueprint (Cloudflare Workers): HTTP handlers in a Worker, one queue per job with a
 * dead-letter queue consumed by the same Worker, PostgreSQL only through Hyperdrive, the rate-limit
 * bindings per IP and per user, the Cache API for cache-aside reads, Analytics Engine for metrics.
 * Everything runs locally for real under `wrangler dev` (workerd). Templates print the plan; the
 * blueprint-neutral ones (SQL, repositories, schemas, migrations, the decision record) are shared
 * with the monolith from blueprints/_shared/templates.
 */
import { AUDIT_LOG, builtInTables } from '../_shared/planner/built-in-tables.js';
import { architectureFacts } from './planner/architecture.js';
import { ENV, METRICS, alerts, analyticsPlan, dashboard } from './planner/observability.js';
import { RATE_LIMITS, WORKER_VARS, planQueues, wranglerConfig } from './planner/platform.js';
import { DEPENDENCIES, DEV_DEPENDENCIES, INFRA_DEV_DEPENDENCIES } from './planner/versions.js';
import { serverlessChecks } from './checks/index.js';
import { serverlessRuntime } from './runtime.js';

/** Shared checks that hold for a Worker project, parameterised by the plan where a Node process and a Worker differ; the others are reported as not applying. */
const SHARED = [
  'schema.',
  // The route table's entries (method, path, roles, schema, handler) are read like Fastify's routes.
  'api.route-schemas',
  'api.auth-on-mutations',
  'api.list-pagination',
  // The fetch handler's one try/catch answers every error and unmatched route as problem+json (plan.httpHandler).
  'api.error-format',
  'code.sql-parameterized',
  'code.no-await-job',
  // Job routes answer 202 (through the enqueue helper); the consumer is the default export's `queue` (plan.jobConsumer).
  'async.enqueue-202',
  'code.no-secret-literals',
  'observability.health-endpoints',
  // JSON lines with a request id on the HTTP path and on the queue consumer's, judged apart.
  'observability.structured-logs',
  // Grafana rules over Analytics Engine SQL: the datasets and event kinds the Worker writes (plan.metricsPush.datasets),
  // the seed thresholds; no pool alert (Hyperdrive pools: plan.connectionProxy).
  'observability.alert-metrics',
  'observability.alert-thresholds',
  'security.password-hashing',
  'delivery.ci-workflow',
  'delivery.readme',
  // The UPPER_SNAKE keys src/env.ts validates (the Worker's variables) are in .env.example.
  'delivery.env-example',
  'architecture.patterns-evaluated',
  'architecture.security-claims',
  'architecture.schema-matches',
  'architecture.cost-projections',
  'architecture.migration-path',
  // The record's monitoring section names the Grafana rules monitoring/alerts.yml defines.
  'architecture.scaling-monitoring',
  'dynamic.typecheck',
  'dynamic.test-suite',
  'dynamic.explain-access-patterns',
  'dynamic.job-accepted-without-worker',
  // The queue handler runs in the same Worker (runtime adapter: jobProcess 'api').
  'dynamic.job-roundtrip',
  // Skips, saying why: the metrics are Analytics Engine data points (plan.metricsPush), not a /metrics scrape.
  'dynamic.metrics-series',
  'dynamic.api-walk',
  'dynamic.security-headers',
  'dynamic.cors-allowlist',
  'dynamic.rate-limit-429',
  // PostgreSQL (its one dependency) cut as a partition on a relay between the local Hyperdrive proxy and the
  // database (the adapter's readinessDependency): 503 problem+json, the probe's query seen on the wire, recovery.
  'dynamic.readiness',
  // The seed's p95 on a cached read, measured on wrangler dev on this machine (the adapter's runsOn says so).
  'dynamic.load-p95',
];

/** Why each shared check it does not select does not apply to a Worker (the verify report shows these reasons). */
const NOT_APPLICABLE = {
  'delivery.dockerfile-non-root': 'there is no container image: wrangler uploads a script bundle that runs in workerd isolates, with no OS user to drop to',
  'dynamic.graceful-shutdown': 'sends SIGTERM to the server process; a Worker has no process of its own to stop: the platform drains in-flight requests on a deploy',
};

/**
 * The serverless blueprint's own tables: the one behind Idempotency-Key on creates: a key is kept with the response it produced, scoped by
 * user and route, so a retried POST returns the first answer instead of creating twice.
 * @param {import('../../generators/blueprints/contract.js').PlannerKit} _kit
 */
function idempotencyTable(_kit) {
  return {
    up: [
      {
        comment: 'Idempotency-Key on creates: the first response per (scope, key) is stored and replayed; a different body under the same key is refused.',
        sql: `CREATE TABLE idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);`,
      },
      {
        comment: 'Deliveries of a job that found it already completed and did not run it again (idempotent consumer): at-least-once delivery, made visible.',
        sql: 'ALTER TABLE job_runs ADD COLUMN duplicate_deliveries integer NOT NULL DEFAULT 0;',
      },
      { comment: 'Serves the expiry sweep: DELETE FROM idempotency_keys WHERE created_at < now() - interval \'24 hours\'.', sql: 'CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);' },
    ],
    down: [{ comment: '', sql: 'DROP TABLE idempotency_keys;' }],
  };
}

/** @type {import('../../generators/blueprints/contract.js').BlueprintModule} */
const blueprint = {
  plan({ domain, kit }) {
    const queues = planQueues(domain);
    const dataset = `${domain.project.name.replace(/-/g, '_')}_events`;
    const analytics = analyticsPlan(dataset);
    return {
      packages: {
        dependencies: kit.sortedByKey(DEPENDENCIES),
        devDependencies: kit.sortedByKey({ ...DEV_DEPENDENCIES, ...(domain.features.infra ? INFRA_DEV_DEPENDENCIES : {}) }),
      },
      metrics: METRICS,
      alerts: alerts(dataset),
      env: ENV,
      auditLog: AUDIT_LOG,
      workerVars: WORKER_VARS,
      rateLimits: RATE_LIMITS,
      rateLimitRetryAfterSeconds: Math.max(...RATE_LIMITS.map((r) => r.period)),
      queues,
      analytics,
      dashboard: dashboard(dataset),
      connectionProxy: { title: 'Cloudflare Hyperdrive', binding: 'HYPERDRIVE' },
      // The queue handler is the Worker's `queue` export (wrangler's main), invoked by the platform per batch.
      jobConsumer: { script: 'dev', entry: 'src/index.ts', construct: { kind: 'export', name: 'queue' }, library: 'Cloudflare Queues' },
      // A Worker has no process to scrape: its metrics are Analytics Engine data points (observability.health-endpoints).
      // Alert rules read the binding's dataset with SQL (observability.alert-metrics).
      metricsPush: { method: 'writeDataPoint', sink: 'Workers Analytics Engine', datasets: { [analytics.binding]: analytics.dataset } },
      // The fetch handler is the HTTP entry: its catch answers every error as problem+json (api.error-format).
      httpHandler: { entry: 'src/index.ts', export: 'fetch' },
      wrangler: wranglerConfig(domain, queues, analytics),
      architectureFacts: architectureFacts(domain, queues),
      migrationStreams: [
        {
          id: 'main',
          dir: 'migrations',
          entities: domain.entities.map((e) => e.name),
          initialTitle: 'Initial schema: built-in tables, entity tables, derived indexes',
          builtIn: builtInTables(kit, { jobStatuses: ['queued', 'active', 'completed', 'failed', 'dead'], extra: idempotencyTable(kit), passwordHash: 'scrypt (N=2^15, r=8, p=3)' }),
        },
      ],
    };
  },
  checklist(kit) {
    return { shared: SHARED, own: serverlessChecks(kit), notApplicable: NOT_APPLICABLE };
  },
  runtime: serverlessRuntime,
  nextSteps(plan) {
    const pm = plan.project.commands;
    return [
      'cp .env.example .env   # then point DATABASE_URL at your PostgreSQL and set JWT_SECRET',
      `${pm.run} migrate && ${pm.run} dev   # wrangler dev: the Worker, its queues and Hyperdrive, locally`,
    ];
  },
};

export default blueprint;
