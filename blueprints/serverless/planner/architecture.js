// @ts-check
/**
 * What docs/architecture.md says about this blueprint's shape (the core's defaults name no engine): the
 * diagram, how each security item is met, how its Analytics Engine points and Grafana alerts show the
 * targets, and the scaling path of a Worker, its database steps from the load the core's estimate gives.
 */
import { estimateSteps } from '../../_shared/planner/estimate.js';

/** @typedef {import('../../../generators/blueprints/contract.js').DomainPlan} DomainPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitectureFactsArgs} ArchitectureFactsArgs */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitectureFacts} ArchitectureFacts */

/**
 * @param {DomainPlan} domain
 * @param {ReturnType<typeof import('./platform.js').planQueues>} queues
 * @returns {(args: ArchitectureFactsArgs) => ArchitectureFacts}
 */
export function architectureFacts(domain, queues) {
  return ({ estimate }) => facts(domain, queues, estimate);
}

/**
 * @param {DomainPlan} domain
 * @param {ReturnType<typeof import('./platform.js').planQueues>} queues
 * @param {ArchitectureFactsArgs['estimate']} estimate
 * @returns {ArchitectureFacts}
 */
function facts(domain, queues, estimate) {
  const { where, biggerDb, replicas, bigData } = estimateSteps(estimate);
  const diagram = [
    'flowchart LR',
    '  client(["Client"]) -->|"HTTP + JWT"| worker["Worker: fetch handler (workerd)"]',
    '  worker -->|"per IP / per user"| rl[["rate-limit bindings"]]',
    '  worker -->|"cache-aside"| cache[("Cache API")]',
    '  worker -->|"SQL via binding HYPERDRIVE"| hd["Hyperdrive (connection pool)"]',
    `  hd --> pg[("PostgreSQL: ${domain.entities.length} entity tables + audit_log, job_runs, auth_users, idempotency_keys")]`,
    '  worker -->|"data points"| ae[("Analytics Engine")]',
  ];
  for (const e of domain.entities) diagram.push(`  worker -->|"${e.routePrefix}"| m_${e.name}["handlers ${e.moduleDir}"]`);
  for (const q of queues)
    diagram.push(
      `  worker -->|"enqueue → 202"| q_${q.camel}[["queue ${q.queue}"]]`,
      `  q_${q.camel} -->|"batch, ${q.maxRetries} retries, backoff"| consumer["Worker: queue handler"]`,
      `  q_${q.camel} -.->|"retries exhausted"| dlq_${q.camel}[["${q.deadLetterQueue}"]]`,
      `  dlq_${q.camel} --> consumer`,
    );
  if (queues.length) diagram.push('  consumer -->|"job_runs (idempotent)"| hd');
  const roles = domain.roles.join(', ');
  const monitored = domain.features.monitoring !== false;
  return {
    diagram,
    targets: [
      { target: 'API response time p95 < 100 ms', monitoredBy: `${monitored ? 'alert SlowResponses (p95 > 200 ms for 10 min) and the dashboard\'s p95 panel' : 'monitoring feature off: no alert rule generated'}, over Analytics Engine request points` },
      { target: 'Database query time p95 < 50 ms', monitoredBy: "dynamic.explain-access-patterns (verify: every access pattern uses its index); Hyperdrive's query latency in the Cloudflare dashboard" },
      { target: 'Cache hit rate > 80%', monitoredBy: `${monitored ? "the dashboard's cache hit rate panel" : 'no dashboard (monitoring off)'} over Analytics Engine cache points (hit, miss)` },
      { target: 'Uptime 99.9%', monitoredBy: `${monitored ? 'alert HighErrorRate (5xx > 1% for 5 min); ' : ''}/health/live and /health/ready (PostgreSQL through Hyperdrive)` },
    ],
    security: [
      { item: 'Authentication (JWT, OAuth, API keys)', done: true, how: 'HS256 JWT bearer tokens verified with WebCrypto on every route but login and health' },
      { item: 'Authorization (RBAC, permissions)', done: true, how: `roles ${roles} per entity and action, 401 vs 403` },
      { item: 'Rate limiting (per-user, per-IP)', done: true, how: 'Workers rate-limit bindings per IP and per user, 429 with Retry-After' },
      { item: 'Input validation (SQL injection, XSS prevention)', done: true, how: 'a TypeBox schema checked on every body and query, parameterized SQL only' },
      { item: 'Encryption at rest (database, backups)', done: false, how: 'a property of the managed database and its backups (enable storage encryption); not in the code' },
      { item: 'Encryption in transit (TLS 1.3)', done: false, how: "terminated at Cloudflare's edge; Hyperdrive to the database over TLS — deployment settings, not in the code" },
      { item: 'Secrets management (env vars, vault)', done: true, how: 'JWT_SECRET is a Worker secret (wrangler secret put), validated on first use; the database credentials live in the Hyperdrive configuration, none in the code' },
      { item: 'Audit logging (all mutations)', done: true, how: 'every mutation written to the partitioned audit_log in the same transaction' },
    ],
    scalingPath: [
      { step: 'Cache', when: 'p95 above 100 ms or the cache hit rate under 80%', what: 'Raise the cache TTL of hot entities; Hyperdrive can also cache read queries' },
      { step: 'Connections', when: 'Hyperdrive reports waiting connections or PostgreSQL nears max_connections', what: "Raise the Hyperdrive origin connection limit within the database's max_connections; the Worker itself holds none between requests" },
      { step: 'Queues', when: 'QueueBacklog fires', what: 'Raise max_batch_size / max_concurrency of the consumer; split a slow job into its own Worker' },
      {
        step: 'Bigger database, then read replicas',
        when: where(biggerDb ?? replicas, biggerDb ? `database tier ${biggerDb.dbTier}` : ''),
        what: `Scale the primary up first; point a second Hyperdrive binding at a read replica for list reads${replicas ? ` (${replicas.dbReplicas} at ${replicas.multiplier}×)` : ''}`,
      },
      { step: 'Partitions', when: where(bigData, bigData ? `${bigData.dbGb} GB` : ''), what: 'Partition the largest tables by created_at like audit_log; keep every access-pattern index per partition' },
      { step: 'Hybrid', when: 'sustained load makes per-request pricing exceed provisioned capacity, or p99 latency needs warm processes', what: 'Move the hot read path to a container API (the monolith core) and keep jobs on queues (hybrid)' },
    ],
  };
}
