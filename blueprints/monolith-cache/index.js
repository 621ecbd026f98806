// @ts-check
/**
 * The monolith-cache blueprint's module: its planner (the parts it adds to the domain plan), its
 * checklist (every shared check applies, and its own in checks/), its runtime adapter (how verify builds, migrates, starts and
 * probes the API and the worker) and its post-tasks. Templates in templates/ print the plan.
 */
import { AUDIT_LOG, TENANT_COLUMN_TABLES, TENANT_TABLES, builtInTables, tenantBackfill } from '../_shared/planner/built-in-tables.js';
import { architectureFacts } from './planner/architecture.js';
import { ALERTS, ENV, METRICS } from './planner/observability.js';
import { DEPENDENCIES, DEV_DEPENDENCIES } from './planner/versions.js';
import { monolithChecks } from './checks/index.js';
import { monolithRuntime } from './runtime.js';

/**
 * The worker process consumes every queue with BullMQ workers (src/jobs/worker-runtime.ts): the shared
 * async.enqueue-202 check looks for one reachable from the process this script starts.
 * @type {import('../../generators/plan/types.js').JobConsumerPlan}
 */
const JOB_CONSUMER = { script: 'start:worker', entry: 'src/worker.ts', construct: { kind: 'new', name: 'Worker' }, library: 'BullMQ' };

/** @type {import('../../generators/blueprints/contract.js').BlueprintModule} */
const blueprint = {
  plan({ domain, kit }) {
    return {
      packages: { dependencies: kit.sortedByKey(DEPENDENCIES), devDependencies: kit.sortedByKey(DEV_DEPENDENCIES) },
      metrics: METRICS,
      alerts: ALERTS,
      env: ENV,
      auditLog: AUDIT_LOG,
      jobConsumer: JOB_CONSUMER,
      // docs/architecture.md: its processes and stores, how it meets each security item.
      architectureFacts: architectureFacts(domain),
      // One database: the built-in tables, then every entity.
      migrationStreams: [
        {
          id: 'main',
          dir: 'migrations',
          entities: domain.entities.map((e) => e.name),
          initialTitle: 'Initial schema: built-in tables, entity tables, derived indexes',
          builtIn: builtInTables(kit, { tenancy: domain.tenancy }),
          // With tenancy, job_runs rows are the requester's tenant's: held to row-level security too.
          tenantTables: domain.tenancy ? TENANT_TABLES : [],
          tenantColumnTables: domain.tenancy ? TENANT_COLUMN_TABLES : [],
          // A project made multi-tenant before job_runs had a tenant: update fills it from each run's entity.
          tenantBackfill: tenantBackfill(domain),
        },
      ],
    };
  },
  checklist(kit) {
    return { shared: 'all', own: monolithChecks(kit) };
  },
  runtime: monolithRuntime,
  nextSteps(plan) {
    const pm = plan.project.commands;
    const start = `${pm.run} migrate && ${pm.run} dev   # and \`${pm.run} worker\` in another terminal`;
    return plan.features.docker
      ? ['cp .env.example .env   # its URLs match the compose services below; or point them at your own servers', 'docker compose up -d postgres redis', start]
      : ['cp .env.example .env   # then point DATABASE_URL and REDIS_URL at your PostgreSQL and Redis', start];
  },
};

export default blueprint;
