// @ts-check
/**
 * What docs/architecture.md says about the monolith's shape: the mermaid diagram of its processes
 * (Fastify API, BullMQ worker, PostgreSQL, Redis) and how it meets each item of seed 000's security
 * checklist. The core keeps the blueprint-neutral record (context, matrix, schema, estimate, alerts);
 * these replace its neutral defaults. The microservices blueprint inherits them through its parent's parts.
 */
/** @typedef {import('../../../generators/blueprints/contract.js').DomainPlan} DomainPlan */

/** @param {DomainPlan} domain */
export function architectureFacts(domain) {
  return { diagram: diagram(domain), security: securityChecklist(domain) };
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
