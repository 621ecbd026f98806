// @ts-check
/**
 * The Cloudflare side of the plan: one queue per job with its dead-letter queue and bounded retries,
 * the Hyperdrive binding (the only way the Worker reaches PostgreSQL), the two rate-limit bindings,
 * the Analytics Engine dataset for metrics, the Worker's variables, and the wrangler configuration
 * built from them as data (the template prints it; verify validates it against wrangler's schema).
 */

/** @typedef {import('../../../generators/blueprints/contract.js').DomainPlan} DomainPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').JobPlan} JobPlan */

/** workerd's date of the APIs the code is written against (wrangler 4.86's bundled workerd supports it). */
export const COMPATIBILITY_DATE = '2026-04-20';

/** A placeholder Hyperdrive id (32 hex): replaced by the id `terraform apply` (or `wrangler hyperdrive create`) prints. */
export const HYPERDRIVE_PLACEHOLDER_ID = '00000000000000000000000000000000';

/**
 * Rate limits per IP (anonymous requests) and per user (authenticated ones). The binding counts per
 * Cloudflare location (its documented model), over a period of 10 or 60 seconds.
 */
export const RATE_LIMITS = [
  { binding: 'RATE_LIMIT_ANONYMOUS', namespaceId: '1001', limit: 100, period: 60, key: 'ip', overrideEnv: 'RATE_LIMIT_ANONYMOUS_MAX' },
  { binding: 'RATE_LIMIT_USER', namespaceId: '1002', limit: 1000, period: 60, key: 'user', overrideEnv: 'RATE_LIMIT_USER_MAX' },
];

/**
 * @param {string} name
 * @returns {string} an UPPER_SNAKE binding name
 */
const bindingName = (name) => name.replace(/[^a-zA-Z0-9]+/g, '_').toUpperCase();

/**
 * One queue per job (its own retry count), each with a dead-letter queue the same Worker consumes.
 * @param {DomainPlan} domain
 */
export function planQueues(domain) {
  return domain.jobs.map((job) => {
    const queue = `${domain.project.name}-${job.name}`.slice(0, 59);
    return {
      job: job.name,
      pascal: job.pascal,
      camel: job.camel,
      binding: `QUEUE_${bindingName(job.name)}`,
      queue,
      deadLetterQueue: `${queue}-dlq`,
      /** Deliveries after the first: the spec's retries (JobPlan.attempts = retries + 1). */
      maxRetries: job.attempts - 1,
      /** First retry delay; each next one doubles (message.retry({ delaySeconds })), capped at 12 h. */
      backoffBaseMs: job.backoffMs,
      timeoutMs: job.timeoutMs,
      roles: job.permissions,
      description: job.description,
    };
  });
}

/**
 * The Worker's variables (wrangler `vars`; secrets through `wrangler secret put` and .dev.vars
 * locally), validated when the Worker starts handling a request.
 */
export const WORKER_VARS = [
  { name: 'JWT_SECRET', description: 'HMAC secret for access tokens (at least 32 characters); a secret: `wrangler secret put JWT_SECRET`', secret: true, default: null, example: 'change-me-to-a-long-random-string-of-32+-chars', min: 32, kind: 'string' },
  { name: 'JWT_EXPIRES_IN_SECONDS', description: 'Access token lifetime in seconds', secret: false, default: '900', example: '900', min: 60, kind: 'int' },
  { name: 'CORS_ORIGINS', description: 'Comma-separated origins allowed by CORS (never *)', secret: false, default: 'http://localhost:5173', example: 'http://localhost:5173', kind: 'list' },
  { name: 'LOG_LEVEL', description: 'Lowest level written to the JSON logs', secret: false, default: 'info', example: 'info', kind: 'enum', values: ['error', 'warn', 'info', 'debug', 'silent'] },
  { name: 'DATABASE_STATEMENT_TIMEOUT_MS', description: 'Server-side timeout for every query', secret: false, default: '5000', example: '5000', min: 100, kind: 'int' },
  { name: 'JOB_BACKOFF_BASE_MS', description: "First retry delay of a failed job (doubles each retry); empty: each job's own from the spec", secret: false, default: '', example: '', min: 0, kind: 'int' },
];

/**
 * The wrangler configuration as data (printed as wrangler.jsonc).
 * @param {DomainPlan} domain
 * @param {ReturnType<typeof planQueues>} queues
 * @param {{ binding: string, dataset: string }} analytics
 */
export function wranglerConfig(domain, queues, analytics) {
  return {
    $schema: 'node_modules/wrangler/config-schema.json',
    name: domain.project.name,
    main: 'src/index.ts',
    compatibility_date: COMPATIBILITY_DATE,
    // pg needs node:net/tls/crypto (workerd implements them); scrypt comes from node:crypto too.
    compatibility_flags: ['nodejs_compat'],
    // Workers Logs: the JSON lines the Worker writes are indexed and queryable in the dashboard.
    observability: { enabled: true, head_sampling_rate: 1 },
    vars: Object.fromEntries(WORKER_VARS.filter((v) => !v.secret).map((v) => [v.name, v.default ?? ''])),
    hyperdrive: [{ binding: 'HYPERDRIVE', id: HYPERDRIVE_PLACEHOLDER_ID }],
    ratelimits: RATE_LIMITS.map((r) => ({ name: r.binding, namespace_id: r.namespaceId, simple: { limit: r.limit, period: r.period } })),
    analytics_engine_datasets: [{ binding: analytics.binding, dataset: analytics.dataset }],
    ...(queues.length
      ? {
          queues: {
            producers: queues.map((q) => ({ binding: q.binding, queue: q.queue })),
            consumers: [
              ...queues.map((q) => ({ queue: q.queue, max_batch_size: 10, max_batch_timeout: 1, max_retries: q.maxRetries, dead_letter_queue: q.deadLetterQueue })),
              // A dead-letter queue's consumer only records the failure; a message it cannot record is retried 3 times.
              ...queues.map((q) => ({ queue: q.deadLetterQueue, max_batch_size: 10, max_batch_timeout: 1, max_retries: 3 })),
            ],
          },
        }
      : {}),
  };
}
