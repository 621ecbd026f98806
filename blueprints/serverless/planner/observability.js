// @ts-check
/**
 * Metrics, alerts and the environment of a serverless project.
 *
 * Metrics: Workers Analytics Engine. A Worker has no process to scrape, so Prometheus' pull model does
 * not fit; Analytics Engine takes one data point per event from inside the request (non-blocking,
 * no extra subrequest), keeps high-cardinality labels, and answers SQL — which Grafana reads through
 * the ClickHouse-compatible SQL API. Job states (queued backlog, dead letters) live in PostgreSQL's
 * job_runs, so those two alerts query it directly.
 *
 * Alerts are Grafana alert rules (monitoring/alerts.yml, Grafana's provisioning format) with the seeds'
 * thresholds; `expr` here is the query each rule runs, `threshold` what it is compared with.
 */
/** @typedef {import('../../../generators/blueprints/contract.js').MetricPlan} MetricPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').AlertPlan} AlertPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').EnvVarPlan} EnvVarPlan */
import { RATE_LIMITS, WORKER_VARS } from './platform.js';

const SEED_000_MONITORING = '000_edbdee17610928a9.txt — Monitoring Setup (alerts)';
const SEED_002_ASYNC = '002_6826c65448800824.txt — Async Job Pattern / Monitor Everything (queue depths, dead letters)';

/**
 * The data points the Worker writes: blob1 is the event kind (and the sampling index), the other
 * blobs are labels, double1 a duration in ms, double2 an HTTP status.
 * @param {string} dataset
 */
export function analyticsPlan(dataset) {
  return {
    binding: 'METRICS',
    dataset,
    events: [
      { kind: 'request', blobs: ['method', 'route', 'status'], doubles: ['duration_ms', 'status'] },
      { kind: 'cache', blobs: ['entity', 'outcome'], doubles: [] },
      { kind: 'job', blobs: ['queue', 'outcome'], doubles: ['duration_ms'] },
    ],
  };
}

/** @type {MetricPlan[]} */
export const METRICS = [
  { name: 'request', type: 'histogram', help: 'One data point per HTTP request: method, route, status; duration in ms', labels: ['method', 'route', 'status'], process: 'api' },
  { name: 'cache', type: 'counter', help: 'Cache-aside reads by entity and outcome (hit, miss)', labels: ['entity', 'outcome'], process: 'api' },
  { name: 'job', type: 'histogram', help: 'Job deliveries by queue and outcome (completed, retried, dead); duration in ms', labels: ['queue', 'outcome'], process: 'worker' },
];

/**
 * @param {string} dataset Analytics Engine dataset (the SQL table)
 * @returns {(AlertPlan & { datasource: 'analytics-engine' | 'postgresql', threshold: number, window: string })[]}
 */
export function alerts(dataset) {
  return [
    {
      name: 'HighErrorRate',
      datasource: 'analytics-engine',
      expr: `SELECT sumIf(_sample_interval, double2 >= 500) / greatest(sum(_sample_interval), 1) AS error_ratio FROM ${dataset} WHERE blob1 = 'request' AND timestamp > NOW() - INTERVAL '5' MINUTE`,
      threshold: 0.01,
      window: '5m',
      for: '5m',
      severity: 'page',
      summary: 'More than 1% of requests fail with 5xx',
      source: SEED_000_MONITORING + ': high_error_rate >1% for 5 minutes',
      metrics: ['request'],
    },
    {
      name: 'SlowResponses',
      datasource: 'analytics-engine',
      expr: `SELECT quantileExactWeighted(0.95)(double1, _sample_interval) AS p95_ms FROM ${dataset} WHERE blob1 = 'request' AND timestamp > NOW() - INTERVAL '10' MINUTE`,
      threshold: 200,
      window: '10m',
      for: '10m',
      severity: 'page',
      summary: 'p95 latency above 200 ms',
      source: SEED_000_MONITORING + ': slow_response p95 >200ms for 10 minutes',
      metrics: ['request'],
    },
    {
      name: 'DeadLetters',
      datasource: 'postgresql',
      expr: "SELECT count(*) AS dead_letters FROM job_runs WHERE status = 'dead'",
      threshold: 0,
      window: 'now',
      for: '0m',
      severity: 'ticket',
      summary: 'Jobs are in the dead-letter state (retries exhausted); inspect and re-drive them',
      source: SEED_002_ASYNC + ': dead-letter queue depth > 0',
      metrics: ['job'],
    },
    {
      name: 'QueueBacklog',
      datasource: 'postgresql',
      expr: "SELECT count(*) AS backlog FROM job_runs WHERE status = 'queued'",
      threshold: 1000,
      window: 'now',
      for: '15m',
      severity: 'ticket',
      summary: 'More than 1000 jobs are waiting in the queues',
      source: SEED_002_ASYNC + ': queue backlog > 1000 for 15 minutes',
      metrics: ['job'],
    },
  ];
}

/**
 * Everything the project reads from an environment: the Worker's variables (wrangler vars and
 * secrets; .dev.vars locally) and the scripts' (migrations, the local launcher).
 * @type {EnvVarPlan[]}
 */
export const ENV = [
  ...WORKER_VARS.map((v) => ({
    name: v.name,
    description: v.description,
    kind: /** @type {EnvVarPlan['kind']} */ (v.kind),
    required: v.default === null,
    default: v.default,
    example: v.example,
    secret: v.secret,
    ...(v.min === undefined ? {} : { min: v.min }),
    ...(v.values ? { values: v.values } : {}),
    zod: '',
  })),
  { name: 'DATABASE_URL', description: 'PostgreSQL for `npm run migrate` and the local Hyperdrive binding of `npm run dev` (the Worker itself reaches PostgreSQL only through HYPERDRIVE)', kind: 'url', required: true, default: null, example: 'postgres://app:app@localhost:5432/app', secret: true, zod: '' },
  { name: 'PORT', description: 'Port of the local Worker (`npm run dev`)', kind: 'int', required: false, default: '8787', example: '8787', secret: false, min: 0, zod: '' },
  ...RATE_LIMITS.map((r) => ({ name: r.overrideEnv, description: `Local runs only: replaces the ${r.binding} binding's limit (${r.limit} per ${r.period} s per ${r.key}) in the configuration \`npm run dev\` starts`, kind: /** @type {const} */ ('int'), required: false, default: String(r.limit), example: String(r.limit), secret: false, min: 1, zod: '' })),
];

/**
 * The dashboard's panels: the queries behind the seeds' targets (latency, errors, cache hit rate) and
 * the jobs' state.
 * @param {string} dataset
 */
export function dashboard(dataset) {
  const since = "timestamp > NOW() - INTERVAL '1' HOUR";
  return [
    { type: 'timeseries', title: 'Requests per minute by status', datasource: 'analytics-engine', sql: `SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS t, blob4 AS status, sum(_sample_interval) AS requests FROM ${dataset} WHERE blob1 = 'request' AND ${since} GROUP BY t, status ORDER BY t` },
    { type: 'timeseries', title: 'p95 latency (ms)', datasource: 'analytics-engine', sql: `SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS t, quantileExactWeighted(0.95)(double1, _sample_interval) AS p95_ms FROM ${dataset} WHERE blob1 = 'request' AND ${since} GROUP BY t ORDER BY t` },
    { type: 'stat', title: 'Cache hit rate', datasource: 'analytics-engine', sql: `SELECT sumIf(_sample_interval, blob3 = 'hit') / greatest(sum(_sample_interval), 1) AS hit_rate FROM ${dataset} WHERE blob1 = 'cache' AND ${since}` },
    { type: 'timeseries', title: 'Job deliveries by outcome', datasource: 'analytics-engine', sql: `SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS t, blob3 AS outcome, sum(_sample_interval) AS deliveries FROM ${dataset} WHERE blob1 = 'job' AND ${since} GROUP BY t, outcome ORDER BY t` },
    { type: 'table', title: 'Jobs by state', datasource: 'postgresql', sql: 'SELECT queue, status, count(*) AS jobs FROM job_runs GROUP BY queue, status ORDER BY queue, status' },
  ];
}
