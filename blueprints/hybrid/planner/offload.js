// @ts-check
/**
 * Which jobs leave the container and how they travel: a job is offloaded when the spec says
 * `runtime: serverless` or says nothing (the hybrid's default: the work that scales differently from
 * the API runs as functions); `runtime: container` keeps it on the monolith's BullMQ worker. An
 * offloaded job is written to the outbox in the API's transaction, delivered by the relay to the
 * functions' ingress (HMAC-signed), queued on a Cloudflare Queue and consumed by the serverless
 * blueprint's consumer against the same PostgreSQL through Hyperdrive.
 */
import { planQueues, wranglerConfig } from '../../serverless/planner/platform.js';

/** @typedef {import('../../../generators/blueprints/contract.js').DomainPlan} DomainPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').PlanInput} PlanInput */
/** @typedef {import('../../../generators/blueprints/contract.js').EnvVarPlan} EnvVarPlan */

/** The default `runtime` of a job whose spec entry has none. */
export const DEFAULT_RUNTIME = 'serverless';

/** Header names of the signed delivery (the relay sets them, the ingress verifies them). */
export const SIGNATURE = { header: 'x-offload-signature', timestampHeader: 'x-offload-timestamp', toleranceSeconds: 300 };

/**
 * @param {DomainPlan} domain
 * @param {PlanInput} input
 */
export function splitJobs(domain, input) {
  /** @param {string} name */
  const runtimeOf = (name) => input.spec.jobs[name]?.runtime ?? DEFAULT_RUNTIME;
  return {
    container: domain.jobs.filter((j) => runtimeOf(j.name) === 'container'),
    offloaded: domain.jobs.filter((j) => runtimeOf(j.name) === 'serverless'),
  };
}

/**
 * The Worker's variables (functions/wrangler.jsonc `vars`; the secret through `wrangler secret put`).
 * The consumer reads LOG_LEVEL, DATABASE_STATEMENT_TIMEOUT_MS and JOB_BACKOFF_BASE_MS; the ingress the secret.
 */
export const FUNCTION_VARS = [
  { name: 'OFFLOAD_SIGNING_SECRET', description: 'HMAC secret shared with the relay (at least 32 characters); a secret: `wrangler secret put OFFLOAD_SIGNING_SECRET`', secret: true, default: null, example: 'change-me-to-another-long-random-string-32+', min: 32, kind: 'string' },
  { name: 'LOG_LEVEL', description: 'Lowest level written to the JSON logs', secret: false, default: 'info', example: 'info', kind: 'enum', values: ['error', 'warn', 'info', 'debug', 'silent'] },
  { name: 'DATABASE_STATEMENT_TIMEOUT_MS', description: 'Server-side timeout for every query', secret: false, default: '5000', example: '5000', min: 100, kind: 'int' },
  { name: 'JOB_BACKOFF_BASE_MS', description: "First retry delay of a failed job (doubles each retry); empty: each job's own from the spec", secret: false, default: '', example: '', min: 0, kind: 'int' },
];

/** @type {EnvVarPlan[]} The container processes' variables for the offload path (the relay reads them). */
export const OFFLOAD_ENV = [
  { name: 'OFFLOAD_INGRESS_URL', description: "The functions' ingress: where the relay delivers offloaded jobs (the Worker's /ingress)", kind: 'url', required: false, default: 'http://127.0.0.1:8787/ingress', example: 'http://127.0.0.1:8787/ingress', secret: false, zod: 'url()' },
  { name: 'OFFLOAD_SIGNING_SECRET', description: 'HMAC secret the relay signs deliveries with (the same value as the Worker secret)', kind: 'string', required: true, default: null, example: 'change-me-to-another-long-random-string-32+', secret: true, min: 32, zod: 'str(32)' },
  { name: 'RELAY_BATCH_SIZE', description: 'Outbox rows the relay claims per batch', kind: 'int', required: false, default: '50', example: '50', secret: false, min: 1, zod: 'int(1)' },
  { name: 'RELAY_INTERVAL_MS', description: 'Pause of the relay when the outbox has nothing due', kind: 'int', required: false, default: '200', example: '200', secret: false, min: 10, zod: 'int(10)' },
  { name: 'RELAY_BACKOFF_BASE_MS', description: 'First retry delay of a failed delivery (doubles per attempt, at most 5 minutes)', kind: 'int', required: false, default: '1000', example: '1000', secret: false, min: 10, zod: 'int(10)' },
  { name: 'RELAY_MAX_ATTEMPTS', description: 'Deliveries of one outbox row before its job is marked dead (undeliverable)', kind: 'int', required: false, default: '10', example: '10', secret: false, min: 1, zod: 'int(1)' },
  { name: 'RELAY_METRICS_PORT', description: 'Port of the relay /metrics endpoint', kind: 'int', required: false, default: '9466', example: '9466', secret: false, min: 0, zod: 'int(0)' },
];

/**
 * The offloaded half as the serverless blueprint's templates read it: mounted with `"plan": "functions"`,
 * they see these fields over the plan's (their `plan.jobs` are the offloaded jobs).
 * @param {DomainPlan} domain
 * @param {ReturnType<typeof splitJobs>['offloaded']} offloaded
 */
export function functionsPart(domain, offloaded) {
  const queues = planQueues({ ...domain, jobs: offloaded });
  const dataset = `${domain.project.name.replace(/-/g, '_')}_functions`;
  const analytics = {
    binding: 'METRICS',
    dataset,
    events: [{ kind: 'job', blobs: ['queue', 'outcome'], doubles: ['duration_ms'] }],
  };
  const base = wranglerConfig({ ...domain, jobs: offloaded }, queues, analytics);
  // The serverless blueprint's configuration without its HTTP API's parts (rate limits, JWT): this
  // Worker only takes signed deliveries from the relay and consumes the queues.
  const { ratelimits: _ratelimits, ...rest } = base;
  const wrangler = {
    ...rest,
    $schema: '../node_modules/wrangler/config-schema.json',
    name: `${domain.project.name}-functions`,
    vars: Object.fromEntries(FUNCTION_VARS.filter((v) => !v.secret).map((v) => [v.name, v.default ?? ''])),
  };
  return {
    jobs: offloaded,
    queues,
    analytics,
    workerVars: FUNCTION_VARS,
    rateLimits: [],
    connectionProxy: { title: 'Cloudflare Hyperdrive', binding: 'HYPERDRIVE' },
    wrangler,
    signature: SIGNATURE,
  };
}

/**
 * The outbox table (in the API's database, written in the same transaction as the job_runs row) and
 * the serverless consumer's duplicate counter on job_runs. The outbox holds no tenant data (ids, and the
 * tenant id the message carries): it is the relay's, read across tenants, with no row-level security.
 */
export function outboxTables() {
  return {
    up: [
      {
        comment: 'Transactional outbox of offloaded jobs: written with the job_runs row in one transaction; the relay delivers each row to the functions and marks it sent.',
        sql: `CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  job text NOT NULL,
  job_id text NOT NULL,
  payload jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  sent_at timestamptz,
  failed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (job, job_id)
);`,
      },
      {
        comment: "Serves the relay's claim: SELECT … FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now() ORDER BY id FOR UPDATE SKIP LOCKED.",
        sql: 'CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;',
      },
      {
        comment: 'Deliveries of a job that found it already completed and did not run it again (idempotent consumer): at-least-once delivery, made visible.',
        sql: 'ALTER TABLE job_runs ADD COLUMN duplicate_deliveries integer NOT NULL DEFAULT 0;',
      },
    ],
    down: [{ comment: '', sql: 'DROP TABLE outbox;' }],
  };
}

/**
 * The monitoring role of a multi-tenant hybrid: the relay's gauges count the offloaded jobs of every
 * tenant by queue and state, which row-level security on job_runs forbids to any tenant. The count runs
 * in offloaded_job_states(), a SECURITY DEFINER function owned by this role: it may see every tenant's
 * rows (its own SELECT policy) but only their queue and status columns (a column privilege), and it
 * cannot log in, write, or bypass RLS elsewhere.
 * @param {import('../../../generators/plan/types.js').TenancyPlan} tenancy
 */
export function monitorRole(tenancy) {
  return tenancy.role.replace(/_tenant_app$/, '_job_monitor');
}

/**
 * With tenancy: what the tenant role needs on the outbox (the API writes the job's outbox row in the
 * tenant's transaction, with its job_runs row), and the cross-tenant job counts the relay's gauges read
 * (see monitorRole). Placed after the tenant role and job_runs' row-level security exist.
 * @param {import('../../../generators/plan/types.js').TenancyPlan | null} tenancy
 * @param {import('../../../generators/blueprints/contract.js').PlannerKit} kit
 */
export function outboxTenantGrants(tenancy, kit) {
  if (!tenancy) return { up: [], down: [] };
  const { role } = tenancy;
  const monitor = monitorRole(tenancy);
  return {
    up: [
      { comment: "An offloaded job's outbox row is written in the tenant's transaction, with its job_runs row.", sql: `GRANT INSERT ON outbox TO ${role};` },
      { comment: '', sql: `GRANT USAGE ON SEQUENCE outbox_id_seq TO ${role};` },
      {
        comment: `The relay's gauges count every tenant's offloaded jobs: ${monitor} (cannot log in, no superuser, no BYPASSRLS) owns the counting function; the migrating user becomes a member so it may hand it the function.`,
        sql: kit.sql.createRole(monitor),
      },
      { comment: '', sql: `GRANT USAGE ON SCHEMA public TO ${monitor};` },
      { comment: 'Only the queue and the state of each job: never its entity, tenant, result or error.', sql: `GRANT SELECT (queue, status) ON job_runs TO ${monitor};` },
      { comment: "Every tenant's rows, for this role only (the tenant role stays held to job_runs_tenant_isolation).", sql: `CREATE POLICY job_runs_job_monitor ON job_runs FOR SELECT TO ${monitor} USING (true);` },
      {
        comment: 'Offloaded jobs by queue and state across tenants: counts only (the relay reads nothing else of job_runs).',
        sql: `CREATE FUNCTION offloaded_job_states() RETURNS TABLE (queue text, status text, n integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
  SELECT queue, status, count(*)::int FROM job_runs GROUP BY queue, status
$$;`,
      },
      { comment: '', sql: `ALTER FUNCTION offloaded_job_states() OWNER TO ${monitor};` },
      { comment: '', sql: 'REVOKE EXECUTE ON FUNCTION offloaded_job_states() FROM PUBLIC;' },
      { comment: '', sql: 'GRANT EXECUTE ON FUNCTION offloaded_job_states() TO CURRENT_USER;' },
    ],
    down: [
      { comment: '', sql: 'DROP FUNCTION offloaded_job_states();' },
      { comment: '', sql: 'DROP POLICY job_runs_job_monitor ON job_runs;' },
      { comment: 'The role itself stays: roles are cluster-wide and other databases may use it.', sql: `REVOKE ALL ON job_runs FROM ${monitor};` },
      { comment: '', sql: `REVOKE USAGE ON SCHEMA public FROM ${monitor};` },
      { comment: '', sql: `REVOKE ALL ON outbox FROM ${role};` },
      { comment: '', sql: `REVOKE ALL ON SEQUENCE outbox_id_seq FROM ${role};` },
    ],
  };
}
