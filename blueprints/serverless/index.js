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
import { DEPENDENCIES, DEV_DEPENDENCIES } from './planner/versions.js';
import { serverlessChecks } from './checks/index.js';
import { serverlessRuntime } from './runtime.js';

/** Shared checks that hold for a Worker project; the others describe a Node process (Fastify, Redis, Docker) and are reported as not applying. */
const SHARED = [
  'schema.',
  'code.sql-parameterized',
  'code.no-secret-literals',
  'delivery.readme',
  'architecture.patterns-evaluated',
  'architecture.schema-matches',
  'architecture.cost-projections',
  'architecture.migration-path',
  'dynamic.typecheck',
  'dynamic.test-suite',
  'dynamic.explain-access-patterns',
  'dynamic.api-walk',
  'dynamic.security-headers',
  'dynamic.cors-allowlist',
  'dynamic.rate-limit-429',
];

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
      packages: { dependencies: kit.sortedByKey(DEPENDENCIES), devDependencies: kit.sortedByKey(DEV_DEPENDENCIES) },
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
      wrangler: wranglerConfig(domain, queues, analytics),
      architectureFacts: architectureFacts(domain, queues),
      migrationStreams: [
        {
          id: 'main',
          dir: 'migrations',
          entities: domain.entities.map((e) => e.name),
          initialTitle: 'Initial schema: built-in tables, entity tables, derived indexes',
          builtIn: builtInTables(kit, { jobStatuses: ['queued', 'active', 'completed', 'failed', 'dead'], extra: idempotencyTable(kit) }),
        },
      ],
    };
  },
  checklist(kit) {
    return { shared: SHARED, own: serverlessChecks(kit) };
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
