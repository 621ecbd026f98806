// @ts-check
/**
 * What docs/architecture.md says about the hybrid. The container half is the monolith, so its facts
 * start from the monolith's (the parent's `architectureFacts`): the targets (its API's metrics and
 * alerts) hold as they are; the security items gain the signed ingress and the signing secret; the
 * scaling path gains the offload step and its last step leads to services, not to the hybrid. The diagram
 * is the hybrid's own: the container half, and each offloaded job's path through the outbox, the relay,
 * the signed ingress, its queue (with its dead-letter queue) and the consumer, back to the same PostgreSQL.
 */
/** @typedef {import('../../../generators/blueprints/contract.js').DomainPlan} DomainPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').JobPlan} JobPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitectureFactsArgs} ArchitectureFactsArgs */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitectureFacts} ArchitectureFacts */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitecturePlan} ArchitecturePlan */

/**
 * @param {DomainPlan} domain
 * @param {JobPlan[]} container
 * @param {ReturnType<typeof import('../../serverless/planner/platform.js').planQueues>} queues
 * @param {((args: ArchitectureFactsArgs) => ArchitectureFacts) | undefined} monolith the parent's facts
 * @returns {(args: ArchitectureFactsArgs) => ArchitectureFacts}
 */
export function architectureFacts(domain, container, queues, monolith) {
  if (!monolith) throw new Error('internal: hybrid builds on the monolith\'s architecture facts');
  return (args) => {
    const base = monolith(args);
    return {
      ...base,
      diagram: diagram(domain, container, queues),
      security: security(/** @type {ArchitecturePlan['security']} */ (base.security), queues.length > 0),
      scalingPath: scalingPath(/** @type {ArchitecturePlan['scalingPath']} */ (base.scalingPath), queues.length > 0),
    };
  };
}

/**
 * The monolith's security items, with what the offload path adds to them.
 * @param {ArchitecturePlan['security']} items @param {boolean} offloading
 * @returns {ArchitecturePlan['security']}
 */
function security(items, offloading) {
  if (!offloading) return items;
  /** @type {Record<string, string>} */
  const more = {
    'Authentication (JWT, OAuth, API keys)':
      "the functions' ingress takes only the relay's deliveries: an HMAC-SHA256 signature checked in constant time, at most 5 minutes old; checked by hybrid.ingress-verifies",
    'Secrets management (env vars, vault)':
      'the relay reads OFFLOAD_SIGNING_SECRET from the environment, the Worker the same value as a Worker secret (wrangler secret put); the functions reach the database through the Hyperdrive configuration',
    'Encryption in transit (TLS 1.3)': "the relay's deliveries go to the Worker over HTTPS, Hyperdrive to the database over TLS: deployment settings",
  };
  return items.map((s) => (more[s.item] ? { ...s, how: `${s.how}; ${more[s.item]}` } : s));
}

/**
 * The monolith's scaling path with the offload step before the database steps, and the last step
 * towards services (the hybrid is already the monolith's next step).
 * @param {ArchitecturePlan['scalingPath']} steps @param {boolean} offloading
 * @returns {ArchitecturePlan['scalingPath']}
 */
function scalingPath(steps, offloading) {
  const offload = {
    step: 'Offload',
    when: offloading ? 'OutboxLag or OffloadedQueueBacklog fires, or a container job\'s queue grows with the load' : "a container job's queue grows with the load",
    what: `Move the job to functions (\`runtime: serverless\` in the spec, then \`backend-arch update\`)${offloading ? "; for offloaded jobs raise RELAY_BATCH_SIZE, or run another relay (it claims with SKIP LOCKED), and the queues' max_batch_size / max_concurrency" : ''}`,
  };
  const database = steps.findIndex((s) => s.step.startsWith('Bigger database'));
  return [
    ...steps.slice(0, database),
    offload,
    ...steps.slice(database).map((s) =>
      s.step === 'Split services' ? { ...s, when: 'four or more teams deploy independently, or one part of the container API dominates the load', what: 'Follow the migration path: services per bounded context, each with its database (microservices)' } : s,
    ),
  ];
}

/**
 * @param {DomainPlan} domain
 * @param {JobPlan[]} container
 * @param {ReturnType<typeof import('../../serverless/planner/platform.js').planQueues>} queues
 * @returns {string[]}
 */
function diagram(domain, container, queues) {
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
  return diagram;
}
