/**
 * Metrics the generated processes export, the alert rules over them (thresholds from the seeds), and
 * the environment variables the generated config validates at boot. One list each: the app, the
 * alert rules, the dashboard, .env.example and docker-compose all print from these.
 */
// @ts-check
/** @typedef {import('../../../generators/blueprints/contract.js').MetricPlan} MetricPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').AlertPlan} AlertPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').EnvVarPlan} EnvVarPlan */

const SEED_000_MONITORING = '000_edbdee17610928a9.txt — Monitoring Setup (alerts)';
const SEED_002_ASYNC = '002_6826c65448800824.txt — Async Job Pattern / Monitor Everything (queue depths)';

/** @type {MetricPlan[]} */
export const METRICS = [
  { name: 'http_request_duration_seconds', type: 'histogram', help: 'HTTP request duration in seconds', labels: ['method', 'route', 'status_code'], process: 'api', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5] },
  { name: 'http_requests_total', type: 'counter', help: 'HTTP requests by route and status', labels: ['method', 'route', 'status_code'], process: 'api' },
  { name: 'db_pool_connections_in_use', type: 'gauge', help: 'PostgreSQL pool connections checked out', labels: [], process: 'api' },
  { name: 'db_pool_connections_max', type: 'gauge', help: 'PostgreSQL pool size limit', labels: [], process: 'api' },
  { name: 'db_pool_waiting_requests', type: 'gauge', help: 'Queries waiting for a pool connection', labels: [], process: 'api' },
  { name: 'cache_hits_total', type: 'counter', help: 'Cache-aside reads answered from Redis', labels: ['entity'], process: 'api' },
  { name: 'cache_misses_total', type: 'counter', help: 'Cache-aside reads that went to PostgreSQL', labels: ['entity'], process: 'api' },
  { name: 'queue_jobs', type: 'gauge', help: 'Jobs in each BullMQ queue by state', labels: ['queue', 'state'], process: 'api' },
  { name: 'job_duration_seconds', type: 'histogram', help: 'Job processing time in seconds', labels: ['queue', 'status'], process: 'worker', buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60] },
  { name: 'job_failures_total', type: 'counter', help: 'Job attempts that failed', labels: ['queue'], process: 'worker' },
];

/** @type {AlertPlan[]} */
export const ALERTS = [
  {
    name: 'HighErrorRate',
    expr: 'sum(rate(http_requests_total{status_code=~"5.."}[5m])) / clamp_min(sum(rate(http_requests_total[5m])), 1e-9) > 0.01',
    for: '5m',
    severity: 'page',
    summary: 'More than 1% of requests fail with 5xx',
    source: SEED_000_MONITORING + ': high_error_rate >1% for 5 minutes',
    metrics: ['http_requests_total'],
  },
  {
    name: 'SlowResponses',
    expr: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.2',
    for: '10m',
    severity: 'page',
    summary: 'p95 latency above 200 ms',
    source: SEED_000_MONITORING + ': slow_response p95 >200ms for 10 minutes',
    metrics: ['http_request_duration_seconds'],
  },
  {
    name: 'DatabasePoolExhaustion',
    expr: 'max(db_pool_connections_in_use) / max(db_pool_connections_max) > 0.8',
    for: '5m',
    severity: 'page',
    summary: 'More than 80% of the PostgreSQL pool is in use',
    source: SEED_000_MONITORING + ': database_connection_exhaustion >80% pool usage',
    metrics: ['db_pool_connections_in_use', 'db_pool_connections_max'],
  },
  {
    name: 'JobFailureRate',
    expr: 'sum by (queue) (rate(job_failures_total[10m])) / clamp_min(sum by (queue) (rate(job_duration_seconds_count[10m])), 1e-9) > 0.05',
    for: '10m',
    severity: 'ticket',
    summary: 'More than 5% of job attempts fail',
    source: SEED_002_ASYNC,
    metrics: ['job_failures_total', 'job_duration_seconds'],
  },
  {
    name: 'QueueBacklog',
    expr: 'max by (queue) (queue_jobs{state="waiting"}) > 1000',
    for: '15m',
    severity: 'ticket',
    summary: 'A job queue has more than 1000 waiting jobs',
    source: SEED_002_ASYNC,
    metrics: ['queue_jobs'],
  },
];

/** @type {Omit<EnvVarPlan, 'zod'>[]} */
const ENV_DECLARED = [
  { name: 'NODE_ENV', description: 'Runtime mode', kind: 'enum', values: ['development', 'test', 'production'], required: false, default: 'development', example: 'development', secret: false },
  { name: 'HOST', description: 'Interface the API listens on', kind: 'string', required: false, default: '0.0.0.0', example: '0.0.0.0', secret: false },
  { name: 'PORT', description: 'API port', kind: 'int', required: false, default: '3000', example: '3000', secret: false, min: 0 },
  { name: 'METRICS_PORT', description: 'Port of the API /metrics endpoint (kept off the public API port; only Prometheus should reach it)', kind: 'int', required: false, default: '9465', example: '9465', secret: false, min: 0 },
  { name: 'LOG_LEVEL', description: 'pino log level', kind: 'enum', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], required: false, default: 'info', example: 'info', secret: false },
  { name: 'DATABASE_URL', description: 'PostgreSQL connection string', kind: 'url', required: true, default: null, example: 'postgres://app:app@localhost:5432/app', secret: true },
  { name: 'DATABASE_POOL_MAX', description: 'PostgreSQL pool size per process', kind: 'int', required: false, default: '10', example: '10', secret: false, min: 1 },
  { name: 'DATABASE_STATEMENT_TIMEOUT_MS', description: 'Server-side timeout for every query', kind: 'int', required: false, default: '5000', example: '5000', secret: false, min: 100 },
  { name: 'REDIS_URL', description: 'Redis connection string (cache, rate limits, job queue)', kind: 'url', required: true, default: null, example: 'redis://localhost:6379', secret: true },
  { name: 'REDIS_KEY_PREFIX', description: 'Prefix of every Redis key (cache, idempotency, rate limits, queues), so apps and test runs can share one Redis', kind: 'string', required: false, default: 'app', example: 'app', secret: false, min: 1 },
  { name: 'JWT_SECRET', description: 'HMAC secret for access tokens (at least 32 characters)', kind: 'string', required: true, default: null, example: 'change-me-to-a-long-random-string-of-32+-chars', secret: true, min: 32 },
  { name: 'JWT_EXPIRES_IN', description: 'Access token lifetime', kind: 'string', required: false, default: '15m', example: '15m', secret: false },
  { name: 'CORS_ORIGINS', description: 'Comma-separated origins allowed by CORS (never *)', kind: 'list', required: false, default: 'http://localhost:5173', example: 'http://localhost:5173', secret: false },
  { name: 'RATE_LIMIT_WINDOW_MS', description: 'Rate-limit window', kind: 'int', required: false, default: '60000', example: '60000', secret: false, min: 1000 },
  { name: 'RATE_LIMIT_ANONYMOUS_MAX', description: 'Requests per window per IP without a token', kind: 'int', required: false, default: '100', example: '100', secret: false, min: 1 },
  { name: 'RATE_LIMIT_USER_MAX', description: 'Requests per window per authenticated user', kind: 'int', required: false, default: '1000', example: '1000', secret: false, min: 1 },
  { name: 'WORKER_CONCURRENCY', description: 'Jobs processed in parallel per worker process', kind: 'int', required: false, default: '5', example: '5', secret: false, min: 1 },
  { name: 'WORKER_METRICS_PORT', description: 'Port of the worker /metrics endpoint', kind: 'int', required: false, default: '9464', example: '9464', secret: false, min: 0 },
  { name: 'SHUTDOWN_TIMEOUT_MS', description: 'Grace period for in-flight work on SIGTERM', kind: 'int', required: false, default: '10000', example: '10000', secret: false, min: 100 },
];

/**
 * The zod schema expression the generated src/config.ts prints for one variable; it uses the small
 * helpers that file defines (str, url, int, bool, list) so each line stays readable.
 * @param {Omit<EnvVarPlan, 'zod'>} v
 * @returns {string}
 */
function zodFor(v) {
  switch (v.kind) {
    case 'enum':
      return `z.enum([${(v.values ?? []).map((x) => `'${x}'`).join(', ')}])`;
    case 'int':
      return `int(${v.min ?? 0})`;
    case 'string':
      return v.min === undefined ? 'str()' : `str(${v.min})`;
    case 'url':
      return 'url()';
    case 'bool':
      return 'bool()';
    case 'list':
      return 'list()';
  }
}

/** @type {EnvVarPlan[]} */
export const ENV = ENV_DECLARED.map((v) => ({ ...v, zod: zodFor(v) }));
