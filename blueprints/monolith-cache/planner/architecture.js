// @ts-check
/**
 * What docs/architecture.md says about the monolith's shape: the mermaid diagram of its processes
 * (Fastify API, BullMQ worker, PostgreSQL, Redis), how it meets each item of seed 000's security
 * checklist, which of its metrics and alerts show each performance target, and its scaling path (its
 * pool variable, its alert, Redis) from the load the core's capacity estimate gives. The core keeps the
 * blueprint-neutral record (context, matrix, schema, estimate, alerts); these replace its neutral
 * defaults. Microservices and hybrid start from them through their parent's parts.
 */
import { estimateSteps } from '../../_shared/planner/estimate.js';

/** @typedef {import('../../../generators/blueprints/contract.js').DomainPlan} DomainPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitectureFactsArgs} ArchitectureFactsArgs */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitectureFacts} ArchitectureFacts */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitecturePlan} ArchitecturePlan */

/**
 * @param {DomainPlan} domain
 * @returns {(args: ArchitectureFactsArgs) => ArchitectureFacts}
 */
export function architectureFacts(domain) {
  return ({ plan, estimate }) => ({ diagram: diagram(domain), security: securityChecklist(domain), targets: targets(plan), scalingPath: scalingPath(estimate) });
}

/**
 * Seed 000's performance targets, with the metrics the monolith exports that show them (src/metrics.ts)
 * and how verify measures them before release.
 */
const TARGETS = [
  { target: 'API response time p95 < 100 ms', metrics: ['http_request_duration_seconds'], verify: 'dynamic.load-p95 (verify)' },
  { target: 'Database query time p95 < 50 ms', metrics: ['db_pool_connections_in_use', 'db_pool_waiting_requests'], verify: 'dynamic.explain (verify: every access pattern uses its index)' },
  { target: 'Cache hit rate > 80%', metrics: ['cache_hits_total', 'cache_misses_total'], verify: 'cache_hits_total / cache_misses_total', onDashboard: true },
  { target: 'Uptime 99.9%', metrics: ['http_requests_total'], verify: '/health/live and /health/ready probes' },
];

/**
 * Each target with the alert rules over its metrics (the plan's alerts: an extending blueprint's own
 * count too) and where it shows.
 * @param {ArchitectureFactsArgs['plan']} plan
 * @returns {ArchitecturePlan['targets']}
 */
function targets(plan) {
  const monitoringOn = plan.features.monitoring === true;
  return TARGETS.map((t) => {
    const alerts = plan.alerts.filter((a) => a.metrics.some((m) => t.metrics.includes(m))).map((a) => a.name);
    const byAlert = monitoringOn && alerts.length ? `alert ${alerts.join(', ')}` : monitoringOn ? 'no alert rule' : 'monitoring feature off: no alert rule generated';
    const shown = t.onDashboard ? `${monitoringOn ? 'the Grafana dashboard over' : 'exported at /metrics:'} ${t.verify}` : t.verify;
    return { target: t.target, monitoredBy: `${byAlert}; ${shown}` };
  });
}

/**
 * The monolith's scaling path: its cache, its pool (DATABASE_POOL_MAX, the DatabasePoolExhaustion alert),
 * instances of the stateless API, the database, partitions, then the migration path.
 * @param {ArchitectureFactsArgs['estimate']} estimate
 * @returns {ArchitecturePlan['scalingPath']}
 */
function scalingPath(estimate) {
  const { where, moreInstances } = estimateSteps(estimate);
  return [
    { step: 'Cache', when: 'p95 above 100 ms or the cache hit rate under 80%', what: 'Raise TTLs of hot entities, cache list pages that repeat, precise invalidation stays on writes' },
    { step: 'Pool sizing', when: 'DatabasePoolExhaustion fires (pool > 80%)', what: 'Raise DATABASE_POOL_MAX while instances × pool stays under the database max_connections; add a connection pooler (PgBouncer, RDS Proxy) beyond that' },
    { step: 'More API instances', when: where(moreInstances, moreInstances ? `${moreInstances.apiInstances} API instances` : ''), what: 'The API is stateless (rate limits, cache and queues in Redis): add instances behind the load balancer; workers follow queue depth' },
    ...databaseSteps(estimate),
    { step: 'Split services', when: 'four or more teams deploy independently, or one module dominates the load', what: 'Follow the migration path: hybrid first (async work to functions), then services per bounded context' },
  ];
}

/**
 * The database's steps, the same for every blueprint built on the monolith's single-primary PostgreSQL.
 * @param {ArchitectureFactsArgs['estimate']} estimate
 * @returns {ArchitecturePlan['scalingPath']}
 */
export function databaseSteps(estimate) {
  const { where, biggerDb, replicas, bigData } = estimateSteps(estimate);
  return [
    { step: 'Bigger database, then read replicas', when: where(biggerDb ?? replicas, biggerDb ? `database tier ${biggerDb.dbTier}` : ''), what: `Scale the primary up first; route list reads to read replicas${replicas ? ` (${replicas.dbReplicas} at ${replicas.multiplier}×)` : ''} when the primary passes its tier` },
    { step: 'Partitions', when: where(bigData, bigData ? `${bigData.dbGb} GB` : ''), what: 'Partition the largest tables by created_at like audit_log; keep every access-pattern index per partition' },
  ];
}

/** @param {DomainPlan} domain */
function diagram(domain) {
  const lines = [
    'flowchart LR',
    '  client(["Client"]) -->|"HTTP + JWT"| api["API process (Fastify)"]',
    `  pg[("PostgreSQL: ${domain.entities.length} entity tables + audit_log, job_runs, auth_users")]`,
    '  redis[("Redis: cache, rate limits, queues")]',
    '  api -->|"rate limits"| redis',
  ];
  for (const e of domain.entities)
    lines.push(`  api -->|"${e.routePrefix}"| m_${e.name}["module ${e.moduleDir}"]`, `  m_${e.name} -->|"cache-aside ${e.cacheTtl} s"| redis`, `  m_${e.name} -->|"SQL"| pg`);
  if (domain.jobs.length) lines.push('  worker["worker process"] -->|"SQL"| pg');
  for (const j of domain.jobs) lines.push(`  api -->|"enqueue → 202"| q_${j.camel}[["queue ${j.queue}"]]`, `  q_${j.camel} -->|"${j.attempts} attempts, backoff"| worker`);
  if (domain.features.monitoring) lines.push('  prometheus["Prometheus + alert rules"] -->|"scrape"| api', ...(domain.jobs.length ? ['  prometheus -->|"scrape"| worker'] : []));
  return lines;
}

/**
 * Seed 000's Security Checklist, each item as the monolith implements it (or says where it belongs).
 * @param {DomainPlan} domain
 */
function securityChecklist(domain) {
  const roles = domain.roles.join(', ');
  return [
    { item: 'Authentication (JWT, OAuth, API keys)', done: true, how: 'JWT bearer tokens (@fastify/jwt) on every route but login; checked by api.auth-on-mutations' },
    { item: 'Authorization (RBAC, permissions)', done: true, how: `roles ${roles} per entity and action, 401 vs 403; checked by api.auth-on-mutations` },
    { item: 'Rate limiting (per-user, per-IP)', done: true, how: 'per IP and per user in Redis, 429 with Retry-After; checked by api.rate-limit' },
    { item: 'Input validation (SQL injection, XSS prevention)', done: true, how: 'a TypeBox schema on every route, parameterized SQL only; checked by api.route-schemas and code.sql-parameterized' },
    { item: 'Encryption at rest (database, backups)', done: false, how: 'a property of the managed database and its backups (enable storage encryption); not in the code' },
    { item: 'Encryption in transit (TLS 1.3)', done: false, how: 'terminated at the load balancer or ingress; not in the code' },
    { item: 'Secrets management (env vars, vault)', done: true, how: 'secrets only from the environment, validated at boot, none in the code; checked by code.no-secret-literals and delivery.env-example' },
    { item: 'Audit logging (all mutations)', done: true, how: 'every mutation written to the partitioned audit_log; checked by schema.audit-log-partitioned' },
  ];
}
