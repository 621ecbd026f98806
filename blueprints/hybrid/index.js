// @ts-check
/**
 * The hybrid blueprint: the monolith (it `extends` monolith-cache: every module, route, schema,
 * repository, the cache, rate limits, observability and the BullMQ worker are the monolith's own
 * templates) as the container half, and the jobs that scale differently offloaded to functions: the
 * serverless blueprint's queue consumer, dead-letter consumer, Hyperdrive client and wrangler
 * configuration, rendered under functions/ by `mounts` with `"blueprint": "serverless"` (not copied).
 * Between the two: a transactional outbox in the API's database and a relay process that delivers it,
 * signed, to the functions' ingress.
 */
import { TENANT_COLUMN_TABLES, TENANT_TABLES, builtInTables } from '../_shared/planner/built-in-tables.js';
import { DEPENDENCIES as SERVERLESS_DEPENDENCIES, DEV_DEPENDENCIES as SERVERLESS_DEV_DEPENDENCIES } from '../serverless/planner/versions.js';
import { OFFLOAD_ENV, functionsPart, monitorRole, outboxTables, outboxTenantGrants, splitJobs } from './planner/offload.js';
import { kubernetesPlan } from './planner/kubernetes.js';
import { architectureFacts } from './planner/architecture.js';
import { MICRO_DEV_DEPENDENCIES } from '../microservices/planner/settings.js';
import { OFFLOAD_PANELS, RELAY_ALERTS, RELAY_METRICS } from './planner/observability.js';
import { hybridChecks } from './checks/index.js';
import { hybridRuntime } from './runtime.js';

/** What the container half adds to the monolith's packages for the functions half (one install, one lockfile). */
const FUNCTION_DEV_DEPENDENCIES = ['@cloudflare/workers-types', 'wrangler'];

/** @type {import('../../generators/blueprints/contract.js').BlueprintModule} */
const blueprint = {
  plan({ domain, input, kit, parent }) {
    if (!parent) throw new Error('internal: hybrid extends monolith-cache');
    const { container, offloaded } = splitJobs(domain, input);
    const base = parent({ domain: { ...domain, jobs: container }, input, kit });
    const containerNames = new Set(container.map((j) => j.name));
    // The Kubernetes manifests' offline validation (the microservices blueprint's test) needs its pins.
    /** @type {Record<string, string>} */
    const devDependencies = { ...base.packages.devDependencies, ...MICRO_DEV_DEPENDENCIES };
    for (const name of FUNCTION_DEV_DEPENDENCIES) devDependencies[name] = /** @type {string} */ (/** @type {Record<string, string>} */ (SERVERLESS_DEV_DEPENDENCIES)[name]);
    return {
      ...base,
      // The monolith's templates print the container jobs (BullMQ queues, processors, tests); an
      // entity lists only those, so its job routes import what they use.
      jobs: container,
      entities: domain.entities.map((e) => ({ ...e, jobs: e.jobs.filter((j) => containerNames.has(j)) })),
      offload: {
        jobs: offloaded.map((j) => ({ ...j, statusPath: `/jobs/${j.name}/` })),
        entities: [...new Set(offloaded.map((j) => j.entity))].map((name) => /** @type {import('../../generators/blueprints/contract.js').Entity} */ (domain.entities.find((e) => e.name === name))),
        signature: functionsPart(domain, offloaded).signature,
        // With tenancy: the role owning offloaded_job_states() (the relay's cross-tenant counts of job_runs).
        monitorRole: domain.tenancy ? monitorRole(domain.tenancy) : null,
        dashboard: OFFLOAD_PANELS.map((p, i) => ({ ...p, id: i + 1, gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 } })),
      },
      functions: functionsPart(domain, offloaded),
      // Where the Worker lives: the serverless blueprint's checks read its wrangler.jsonc and src/ there.
      workerRoot: 'functions/',
      // The shared job checks judge the offloaded jobs on their path: their routes answer 202, the relay
      // claims them from the outbox, and the runtime adapter's startHandedOff runs the relay and the functions.
      ...(offloaded.length > 0
        ? {
            handedOffJobs: {
              jobs: offloaded,
              consumer: { script: 'start:relay', entry: 'src/relay.ts', construct: { kind: 'claim', name: 'outbox' }, library: 'outbox relay' },
              via: 'the outbox → relay → functions',
            },
          }
        : {}),
      architectureFacts: architectureFacts(domain, container, functionsPart(domain, offloaded).queues, base.architectureFacts),
      // The functions half type-checks with its own tsconfig (Workers types, no Node globals).
      typecheckCommand: 'tsc --noEmit && tsc --noEmit -p functions',
      extraScripts: {
        relay: 'tsx src/relay.ts',
        'start:relay': 'node dist/relay.js',
        'functions:dev': 'node functions/scripts/dev.mjs',
        'functions:build': 'wrangler deploy --dry-run --config functions/wrangler.jsonc --outdir functions/.wrangler/dist',
        'functions:deploy': 'wrangler deploy --config functions/wrangler.jsonc',
      },
      // functions/scripts/dev.mjs reads the environment it hands to wrangler dev.
      lintEnvFiles: ['functions/scripts/**'],
      // wrangler's bundles and local state: neither linted nor formatted.
      generatedDirs: ['functions/.wrangler/'],
      packages: {
        dependencies: kit.sortedByKey({ ...base.packages.dependencies, pg: SERVERLESS_DEPENDENCIES.pg }),
        devDependencies: kit.sortedByKey(devDependencies),
      },
      env: [...base.env, ...OFFLOAD_ENV],
      kubernetes: kubernetesPlan({ project: domain.project.name, version: '0.1.0', env: [...base.env, ...OFFLOAD_ENV] }),
      metrics: [...base.metrics, ...RELAY_METRICS],
      alerts: [...base.alerts, ...RELAY_ALERTS],
      migrationStreams: [
        {
          id: 'main',
          dir: 'migrations',
          entities: domain.entities.map((e) => e.name),
          initialTitle: 'Initial schema: built-in tables, the outbox of offloaded jobs, entity tables, derived indexes',
          // 'queued' (accepted, in the outbox or a queue) and 'dead' (retries exhausted) are the functions' states.
          builtIn: builtInTables(kit, { jobStatuses: ['queued', 'active', 'completed', 'failed', 'dead'], extra: outboxTables(), tenancy: domain.tenancy }),
          // With tenancy, job_runs rows are the requester's tenant's (the API writes them as the tenant, the
          // functions and the relay update them as the tenant the outbox message carries): row-level security.
          tenantTables: domain.tenancy ? TENANT_TABLES : [],
          tenantColumnTables: domain.tenancy ? TENANT_COLUMN_TABLES : [],
          tenantGrants: outboxTenantGrants(domain.tenancy, kit),
        },
      ],
    };
  },
  checklist(kit) {
    return { shared: 'all', own: hybridChecks(kit) };
  },
  runtime: hybridRuntime,
  nextSteps(plan) {
    const pm = plan.project.commands;
    return [
      'cp .env.example .env   # then point DATABASE_URL and REDIS_URL at your servers and set both secrets',
      `${pm.run} migrate && ${pm.run} dev   # and \`${pm.run} worker\`, \`${pm.run} relay\`, \`${pm.run} functions:dev\` in other terminals`,
    ];
  },
};

export default blueprint;
