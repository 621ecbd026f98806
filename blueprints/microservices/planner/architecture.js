// @ts-check
/**
 * What docs/architecture.md says about the microservices blueprint. Each service is the monolith's app,
 * so the security items (the gateway and every service verify the JWT; the monolith's rate limiter,
 * schemas and audit log) and the performance targets (the monolith's metrics and alerts, per service)
 * are the parent's as they are. The diagram and the scaling path are its own: a gateway, a service per
 * bounded context with its database, its relay and its consumers, the events through NATS JetStream; and
 * scaling per service, the event path, then the service boundaries — not the monolith's "split services".
 */
import { estimateSteps } from '../../_shared/planner/estimate.js';

/** @typedef {import('../../../generators/blueprints/contract.js').DomainPlan} DomainPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitectureFactsArgs} ArchitectureFactsArgs */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitectureFacts} ArchitectureFacts */
/** @typedef {import('../../../generators/blueprints/contract.js').ArchitecturePlan} ArchitecturePlan */
/**
 * @typedef {{ name: string, database: string, entities: string[], jobs: string[], readModels: { entity: string, service: string, table: string }[] }} Service
 */

/**
 * @param {DomainPlan} domain
 * @param {Service[]} services
 * @param {string} identity the service that holds the accounts (auth_users, the token endpoint)
 * @param {((args: ArchitectureFactsArgs) => ArchitectureFacts) | undefined} monolith the parent's facts
 * @returns {(args: ArchitectureFactsArgs) => ArchitectureFacts}
 */
export function architectureFacts(domain, services, identity, monolith) {
  if (!monolith) throw new Error("internal: microservices builds on the monolith's architecture facts");
  return (args) => {
    const base = monolith(args);
    return {
      ...base,
      diagram: diagram(domain, services, identity),
      scalingPath: scalingPath(/** @type {ArchitecturePlan['scalingPath']} */ (base.scalingPath), args.estimate, services.length),
    };
  };
}

/**
 * @param {DomainPlan} domain @param {Service[]} services @param {string} identity
 * @returns {string[]}
 */
function diagram(domain, services, identity) {
  const lines = [
    'flowchart LR',
    '  client(["Client"]) -->|"HTTP + JWT"| gateway["gateway (Fastify): JWT, rate limits, timeouts"]',
    '  redis[("Redis: rate limits, cache, queues")]',
    '  gateway -->|"rate limits"| redis',
    '  nats{{"NATS JetStream: events, dead letters"}}',
  ];
  for (const s of services) {
    const id = s.database;
    const tables = [
      `${s.entities.length} entity table${s.entities.length === 1 ? '' : 's'}`,
      'audit_log, outbox, inbox, dead_letters',
      ...(s.readModels.length ? [s.readModels.map((rm) => rm.table).join(', ')] : []),
      ...(s.jobs.length ? ['job_runs'] : []),
      ...(s.name === identity ? ['auth_users'] : []),
    ];
    const routes = [...(s.name === identity ? ['/auth'] : []), ...s.entities.map((e) => /** @type {DomainPlan['entities'][number]} */ (domain.entities.find((x) => x.name === e)).routePrefix)];
    lines.push(
      `  gateway -->|"${routes.join(', ')}"| ${id}_api["${s.name} service"]`,
      `  ${id}_api -->|"SQL"| ${id}_db[("PostgreSQL ${s.database}: ${tables.join(' + ')}")]`,
      `  ${id}_api -->|"cache-aside"| redis`,
      `  ${id}_relay["${s.name} relay"] -->|"claim SKIP LOCKED"| ${id}_db`,
      `  ${id}_relay -->|"events.${s.name}.*"| nats`,
    );
    if (s.readModels.length) lines.push(`  nats -->|"${s.readModels.map((rm) => rm.entity).join(', ')} events"| ${id}_consumer["${s.name} consumer"]`, `  ${id}_consumer -->|"read models + inbox"| ${id}_db`);
    if (s.jobs.length) lines.push(`  ${id}_api -->|"enqueue → 202"| redis`, `  redis -->|"${s.jobs.join(', ')}"| ${id}_worker["${s.name} worker"]`, `  ${id}_worker -->|"SQL"| ${id}_db`);
  }
  if (domain.features.monitoring) lines.push('  prometheus["Prometheus + alert rules"] -->|"scrape"| gateway', ...services.map((s) => `  prometheus -->|"scrape"| ${s.database}_api`));
  return lines;
}

/**
 * Per service: its cache and pool (the monolith's first steps, each service sized on its own), more
 * instances of the services that carry the load, the event path, the database steps, then the boundaries.
 * @param {ArchitecturePlan['scalingPath']} monolith @param {ArchitectureFactsArgs['estimate']} estimate @param {number} count
 * @returns {ArchitecturePlan['scalingPath']}
 */
function scalingPath(monolith, estimate, count) {
  const { where, moreInstances } = estimateSteps(estimate);
  /** @param {string} step */
  const of = (step) => /** @type {ArchitecturePlan['scalingPath'][number]} */ (monolith.find((s) => s.step === step));
  return [
    of('Cache'),
    { ...of('Pool sizing'), what: "Raise that service's DATABASE_POOL_MAX while its instances × pool stays under its database's max_connections; add a connection pooler (PgBouncer, RDS Proxy) beyond that" },
    {
      step: 'More service instances',
      when: where(moreInstances, moreInstances ? `${moreInstances.apiInstances} instances over ${count} services and the gateway` : ''),
      what: 'The gateway and the services are stateless (rate limits, cache and queues in Redis, events in JetStream): add instances of the service that carries the load, and gateway instances behind the load balancer; a service\'s workers follow its queue depth',
    },
    {
      step: 'Events',
      when: 'OutboxLag or ReadModelStale fires',
      what: "Raise RELAY_BATCH_SIZE of the service whose outbox lags, or run another relay (relays claim with SKIP LOCKED); a read model that lags is its consumer's (read_model_event_age_seconds by consumer)",
    },
    ...monolith.filter((s) => s.step.startsWith('Bigger database') || s.step === 'Partitions').map((s) => ({ ...s, what: `Per service database: ${s.what.charAt(0).toLowerCase()}${s.what.slice(1)}` })),
    {
      step: 'Service boundaries',
      when: 'one service carries most of the load, or two services change together in every release',
      what: 'Split the hot service along its entities (`services:` in the spec), or merge services that always change together; `backend-arch update` plans the new databases and migration streams',
    },
  ];
}
