// @ts-check
/**
 * What docs/architecture.md draws for the hybrid (the core's default diagram is the monolith's): the
 * container half as the monolith, and each offloaded job's path through the outbox, the relay, the
 * signed ingress, its queue (with its dead-letter queue) and the consumer, back to the same PostgreSQL.
 */
/** @typedef {import('../../../generators/blueprints/contract.js').DomainPlan} DomainPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').JobPlan} JobPlan */

/**
 * @param {DomainPlan} domain
 * @param {JobPlan[]} container
 * @param {ReturnType<typeof import('../../serverless/planner/platform.js').planQueues>} queues
 */
export function architectureFacts(domain, container, queues) {
  const diagram = [
    'flowchart LR',
    '  client(["Client"]) -->|"HTTP + JWT"| api["API container (Fastify)"]',
    `  pg[("PostgreSQL: ${domain.entities.length} entity tables + audit_log, job_runs, auth_users, outbox")]`,
    '  redis[("Redis: cache, rate limits, BullMQ")]',
    '  api -->|"rate limits"| redis',
  ];
  for (const e of domain.entities) diagram.push(`  api -->|"${e.routePrefix}"| m_${e.name}["module ${e.moduleDir}"]`, `  m_${e.name} -->|"cache-aside ${e.cacheTtl} s"| redis`, `  m_${e.name} -->|"SQL"| pg`);
  if (container.length) diagram.push('  worker["worker container"] -->|"SQL"| pg');
  for (const j of container) diagram.push(`  api -->|"enqueue → 202"| q_${j.camel}[["BullMQ ${j.queue}"]]`, `  q_${j.camel} -->|"${j.attempts} attempts, backoff"| worker`);
  if (queues.length)
    diagram.push(
      '  api -->|"job_runs + outbox in one transaction → 202"| pg',
      '  relay["relay container"] -->|"claim SKIP LOCKED, mark sent"| pg',
      '  relay -->|"HMAC-signed POST, backoff"| ingress["functions: ingress (Worker)"]',
      '  consumer["functions: queue consumer"] -->|"claim, result (Hyperdrive)"| pg',
    );
  for (const q of queues)
    diagram.push(
      `  ingress -->|"send"| cq_${q.camel}[["queue ${q.queue}"]]`,
      `  cq_${q.camel} -->|"${q.maxRetries} retries, backoff"| consumer`,
      `  cq_${q.camel} -.->|"retries exhausted"| dlq_${q.camel}[["${q.deadLetterQueue}"]]`,
      `  dlq_${q.camel} -->|"status dead"| consumer`,
    );
  if (domain.features.monitoring !== false) diagram.push('  prometheus["Prometheus + alert rules"] -->|"scrape"| api', '  prometheus -->|"scrape"| relay', ...(container.length ? ['  prometheus -->|"scrape"| worker'] : []));
  return { diagram };
}
