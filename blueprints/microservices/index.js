// @ts-check
/**
 * The microservices blueprint: the monolith's code (it `extends` monolith-cache, so every module,
 * route, schema, repository and cache-aside template is the monolith's own, not a copy) deployed as
 * one service per bounded context, each with its own database, role and migration stream
 * (migrations/<service>/), behind a gateway; events leave through a transactional outbox and reach
 * other services' read models through NATS JetStream, applied once (inbox).
 */
import { TENANT_COLUMN_TABLES, TENANT_TABLES, builtInTables } from '../_shared/planner/built-in-tables.js';
import { eventTables, eventTenantGrants, readModelTables } from './planner/events.js';
import { EVENT_ALERTS, EVENT_METRICS, MICRO_ENV, MICRO_DEPENDENCIES, MICRO_DEV_DEPENDENCIES } from './planner/settings.js';
import { kubernetesPlan } from './planner/kubernetes.js';
import { serviceDashboard } from './planner/dashboards.js';
import { jobOptions, rateLimit } from '../monolith-cache/checks/index.js';
import { ownChecks } from './checks.js';
import { architectureFacts } from './planner/architecture.js';
import { microservicesRuntime } from './runtime.js';

/** @typedef {import('../../generators/blueprints/contract.js').Entity} Entity */
/** @typedef {import('../../generators/blueprints/contract.js').Statement} Statement */

/**
 * The shared built-in tables a service's database really holds: `auth_users` only in the identity
 * service (the only one serving POST /auth/token), `job_runs` only in a service with jobs (its job
 * routes and worker are the only readers). A statement is dropped when it names a table the service
 * does not keep (its CREATE TABLE, its trigger, its DROP).
 * @param {{ up: Statement[], down: Statement[] }} tables
 * @param {{ auth: boolean, jobs: boolean }} keeps
 * @returns {{ up: Statement[], down: Statement[] }}
 */
function ownBuiltInTables(tables, keeps) {
  const dropped = [...(keeps.auth ? [] : ['auth_users']), ...(keeps.jobs ? [] : ['job_runs'])];
  const kept = (/** @type {Statement} */ st) => !dropped.some((table) => new RegExp(`\\b${table}\\b`).test(st.sql));
  return { up: tables.up.filter(kept), down: tables.down.filter(kept) };
}

/** @type {import('../../generators/blueprints/contract.js').BlueprintModule} */
const blueprint = {
  plan({ domain, input, kit, parent }) {
    if (!parent) throw new Error('internal: microservices extends monolith-cache');
    const base = parent({ domain, input, kit });
    const groups = domain.services ?? [{ name: 'app', entities: domain.entities.map((e) => e.name) }];
    /** @type {(name: string) => Entity} */
    const entity = (name) => /** @type {Entity} */ (domain.entities.find((e) => e.name === name));
    const upper = (/** @type {string} */ s) => s.replace(/-/g, '_').toUpperCase();
    const services = groups.map((group, i) => {
      const entities = group.entities.map(entity);
      // One read model per entity of another service that this service's entities reference.
      const referenced = [...new Set(entities.flatMap((e) => (e.externalReferences ?? []).map((r) => r.entity)))];
      const readModels = referenced.map((name) => {
        const owner = /** @type {string} */ (entity(name).service);
        return {
          entity: name,
          entityPascal: entity(name).pascal,
          service: owner,
          table: `rm_${name}`,
          subject: `events.${owner}.${name}.*`,
          durable: `${group.name}--${kit.words.kebabCase(name)}`,
          // With tenancy, a tenant-owned entity's events carry their tenant: its rows here are that tenant's.
          tenantScoped: Boolean(domain.tenancy && entity(name).tenantScoped),
        };
      });
      return {
        name: group.name,
        pascal: kit.words.pascalCase(group.name),
        constName: upper(group.name),
        database: group.name.replace(/-/g, '_'),
        // The database and role name as SQL prints it (a service may be named like a reserved word: user, order).
        databaseSql: kit.sql.quoteIdent(group.name.replace(/-/g, '_')),
        // Local (docker compose) credentials: the database and its role are named after the service.
        composeDatabaseUrl: `postgres://${group.name.replace(/-/g, '_')}:${group.name.replace(/-/g, '_')}@postgres:5432/${group.name.replace(/-/g, '_')}`,
        urlEnv: `${upper(group.name)}_SERVICE_URL`,
        devPort: 3001 + i,
        entities: group.entities,
        routePrefixes: entities.map((e) => e.routePrefix),
        // The checks a create/update makes against this service's read models (422 on an unknown id).
        externalChecks: entities.flatMap((e) =>
          (e.externalReferences ?? []).map((r) => ({
            entity: e.name,
            routePrefix: e.routePrefix,
            column: r.column,
            table: `rm_${r.entity}`,
            owner: r.service,
            target: r.entity,
            tenantScoped: Boolean(domain.tenancy && entity(r.entity).tenantScoped),
          })),
        ),
        readModels,
        jobs: domain.jobs.filter((j) => group.entities.includes(j.entity)).map((j) => j.name),
        dashboard: serviceDashboard(group.name, readModels.length > 0),
      };
    });
    // The identity (auth_users, POST /auth/token) lives in the first service; tokens are stateless JWTs every process verifies.
    const identity = /** @type {(typeof services)[number]} */ (services[0]);
    const env = [
      ...base.env.filter((v) => v.name !== 'PORT'),
      { name: 'PORT', description: 'Port of this process (a service, or the gateway)', kind: /** @type {const} */ ('int'), required: false, default: '3000', example: '3000', secret: false, min: 0, zod: 'int(0)' },
      {
        name: 'SERVICE',
        description: `The service this process runs: ${services.map((s) => s.name).join(', ')} (its modules, migrations and events)`,
        kind: /** @type {const} */ ('enum'),
        values: services.map((s) => s.name),
        required: false,
        default: identity.name,
        example: identity.name,
        secret: false,
        zod: `z.enum([${services.map((s) => `'${s.name}'`).join(', ')}])`,
      },
      ...MICRO_ENV,
      ...services.map((s) => ({
        name: s.urlEnv,
        description: `Base URL of the ${s.name} service (the gateway's upstream)`,
        kind: /** @type {const} */ ('url'),
        required: false,
        default: `http://127.0.0.1:${s.devPort}`,
        example: `http://127.0.0.1:${s.devPort}`,
        secret: false,
        zod: 'url()',
      })),
    ];
    return {
      ...base,
      packages: {
        dependencies: kit.sortedByKey({ ...base.packages.dependencies, ...MICRO_DEPENDENCIES }),
        devDependencies: kit.sortedByKey({ ...base.packages.devDependencies, ...MICRO_DEV_DEPENDENCIES }),
      },
      env,
      metrics: [...base.metrics, ...EVENT_METRICS],
      alerts: [...base.alerts, ...EVENT_ALERTS],
      services,
      kubernetes: kubernetesPlan({ project: domain.project.name, version: '0.1.0', services, env }),
      identityService: identity.name,
      // docs/architecture.md: its gateway, services, databases and event path; its scaling path.
      architectureFacts: architectureFacts(domain, services, identity.name, base.architectureFacts),
      // The monolith's migration runner, per service: migrations/<SERVICE>/ (src/db/migrations.ts).
      migrationsPerService: true,
      // For the README's diagram: owner → consumer, one edge per read model.
      eventFlows: services.flatMap((s) => s.readModels.map((rm) => ({ from: rm.service, to: s.name, entity: rm.entity }))),
      // The CI workflow (the monolith's template): a NATS server for the tests, which migrate every service themselves.
      ci: {
        title: 'Typecheck, lint, test (every service, events through NATS), build',
        env: ['NATS_URL'],
        values: { NATS_URL: 'nats://localhost:4222' },
        preSteps: [{ why: 'NATS with JetStream (the tests\' broker): service containers cannot take the -js argument.', run: 'docker run -d --name nats -p 4222:4222 nats:2.10-alpine -js' }],
        migrate: false,
      },
      // Two kinds of HTTP process: each service (src/, the monolith's app: PostgreSQL and Redis) and the
      // gateway (src/gateway/: no database, Redis for its rate limits); each one's readiness checks its own.
      httpProcesses: [
        { name: 'service', sources: 'src/', readinessChecks: ['postgresql', 'redis'] },
        { name: 'gateway', sources: 'src/gateway/', readinessChecks: ['redis'], forwards: true },
      ],
      events: { stream: 'EVENTS', subjects: 'events.>', deadLetterStream: 'DEAD_LETTERS', deadLetterSubjects: 'deadletter.>' },
      gatewayRoutes: [
        { prefix: '/auth', service: identity.name },
        ...services.flatMap((s) => s.routePrefixes.map((prefix) => ({ prefix, service: s.name }))),
        // A job's status URL (/jobs/<job>/<id>, what its 202 names) is answered by the service that enqueued it.
        ...services.flatMap((s) => s.jobs.map((job) => ({ prefix: `/jobs/${job}`, service: s.name }))),
      ],
      // Servers of the services that register job routes (status, per-entity enqueue) and run a worker.
      jobServices: services.filter((s) => s.jobs.length > 0).map((s) => s.name),
      // Which service runs each job (the monolith's worker runtime starts only its own service's).
      jobServiceOf: Object.fromEntries(services.flatMap((s) => s.jobs.map((job) => [job, s.name]))),
      migrationStreams: services.map((s) => {
        const keeps = { auth: s.name === identity.name, jobs: s.jobs.length > 0 };
        const core = ownBuiltInTables(builtInTables(kit, { tenancy: domain.tenancy }), keeps);
        const events = eventTables(s);
        const kept = (/** @type {string} */ t) => (t === 'auth_users' ? keeps.auth : t === 'job_runs' ? keeps.jobs : true);
        // With tenancy: its job runs and its tenant-owned read models hold tenant rows (row-level security
        // through the shared plan, the monolith's statements); the outbox and inbox are the relay's and the
        // consumer's bookkeeping, written inside tenant transactions (tenantGrants).
        const tenantReadModels = s.readModels.filter((rm) => rm.tenantScoped).map((rm) => rm.table);
        return {
          id: s.name,
          dir: `migrations/${s.name}`,
          entities: s.entities,
          initialTitle: `Initial schema of the ${s.name} service: built-in tables, outbox, inbox, read models, its entity tables, derived indexes`,
          builtIn: { up: [...core.up, ...events.up], down: [...events.down, ...core.down] },
          derivedTables: readModelTables(s, domain.tenancy),
          ...(domain.tenancy
            ? {
                tenantTables: [...TENANT_TABLES.filter(kept), ...tenantReadModels],
                tenantColumnTables: TENANT_COLUMN_TABLES.filter(kept),
                tenantGrants: eventTenantGrants(domain.tenancy, s, s.entities.some((name) => entity(name).tenantScoped)),
              }
            : {}),
        };
      }),
    };
  },
  checklist(kit) {
    return {
      // Every shared check. The static ones read the services' modules (the monolith's code) and the
      // gateway's, each HTTP process judged on its own (httpProcesses: one error handler each, each
      // readiness checking its own dependencies; the gateway's pass-through route forwards to the
      // services' routes, which validate and authorize). The dynamic ones drive the system through its
      // gateway: the runtime adapter starts every service on its own database, with its relay and
      // consumer, behind it.
      shared: 'all',
      // Its services register the monolith's rate limiter and enqueue with its BullMQ options: the
      // monolith's own checks for those hold for them as they are.
      own: [rateLimit(kit), jobOptions(kit), ...ownChecks(kit)],
    };
  },
  runtime: microservicesRuntime,
  nextSteps(plan) {
    const pm = plan.project.commands;
    return [
      'cp .env.example .env   # then point DATABASE_URL, REDIS_URL and NATS_URL at your servers (one database per service)',
      `SERVICE=<name> ${pm.run} migrate   # once per service, each with its own DATABASE_URL`,
      `${pm.run} dev:gateway   # and per service: SERVICE=<name> ${pm.run} dev, ${pm.run} relay, ${pm.run} consumer`,
    ];
  },
};

export default blueprint;
