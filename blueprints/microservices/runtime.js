// @ts-check
/**
 * The microservices runtime adapter: the monolith's (build to dist/, its migration runner, tokens, the
 * page shape), for a system verify drives through its edge. `api` — the process the HTTP checks talk
 * to — is the gateway; before it starts, every service runs on its own migrated database (`service`,
 * told which by SERVICE), with its outbox relay and, when it keeps read models, its event consumer, so a
 * create naming another service's row finds it in the read model as in production. The shared checks
 * that read a table find it in its service's database (`databases`). The event processes are also
 * started alone by the blueprint's own checks.
 */
import { monolithRuntime } from '../monolith-cache/runtime.js';

/** @typedef {import('../../generators/blueprints/contract.js').Runtime} Runtime */
/** @typedef {{ name: string, database: string, entities: string[], urlEnv: string, readModels: unknown[], jobs: string[] }} RuntimeService */

/** @param {Runtime} rt @returns {RuntimeService[]} */
const servicesOf = (rt) => /** @type {{ services?: RuntimeService[] }} */ (/** @type {unknown} */ (rt.project.plan)).services ?? [];

/**
 * @param {Runtime} rt
 * @returns {import('../../generators/blueprints/contract.js').RuntimeAdapter}
 */
export function microservicesRuntime(rt) {
  const base = monolithRuntime(rt);
  const service = base.processes.api;
  if (!service) throw new Error('internal: the monolith runtime has no api process');
  const identity = () => /** @type {{ identityService?: string }} */ (/** @type {unknown} */ (rt.project.plan)).identityService ?? servicesOf(rt)[0]?.name ?? '';

  /** Applies one service's migrations (its own stream) to a database with the project's runner. */
  const migrateService = async (/** @type {Runtime} */ rt, /** @type {string} */ name, /** @type {string} */ databaseUrl) => {
    const r = await rt.exec('node', ['dist/db/migrate.js'], { env: { DATABASE_URL: databaseUrl, SERVICE: name } });
    if (r.exitCode !== 0) throw new Error(`the ${name} service's migrations failed on a fresh database:\n${rt.tail(r.output, 15)}`);
  };

  /** @type {import('../../generators/blueprints/contract.js').RuntimeAdapter} */
  const adapter = {
    ...base,
    // `rt.migrated(label)` is the identity service's database (its accounts mint the tokens).
    migrate: (rt, databaseUrl) => migrateService(rt, identity(), databaseUrl),
    async databases(rt, label) {
      const first = identity();
      return Promise.all(
        [...servicesOf(rt)]
          .sort((a, b) => (a.name === first ? -1 : b.name === first ? 1 : 0))
          .map(async (s) => {
            if (s.name === first) return { url: await rt.migrated(label), entities: s.entities };
            await rt.built();
            const url = await rt.database(`${label}_${s.database}`);
            await migrateService(rt, s.name, url);
            return { url, entities: s.entities };
          }),
      );
    },
    processes: {
      api: { args: ['dist/gateway/server.js'], portEnv: 'PORT', ready: '/health/live', needs: upstreams },
      service,
      // The worker of the first service with jobs (the others' are started beside it), on its database.
      worker: { ...(base.processes.worker ?? service), needs: workers },
      'service-worker': base.processes.worker ?? service,
      relay: { args: ['dist/events/relay-main.js'], portEnv: 'PORT', ready: '/health/ready' },
      consumer: { args: ['dist/events/consumer-main.js'], portEnv: 'PORT', ready: '/health/ready' },
    },
  };
  adapter.metricsEndpoints = async (rt, processes) => {
    const system = await runningSystem(rt);
    const running = Object.values(system.services);
    /** @type {Record<string, string[]>} */
    const out = {
      api: running.map((s) => s.api.metricsUrl),
      relay: running.map((s) => s.relay.metricsUrl),
      consumer: running.flatMap((s) => (s.consumer ? [s.consumer.metricsUrl] : [])),
    };
    if (processes.includes('worker')) {
      const first = await rt.sharedWorker();
      const withJobs = servicesOf(rt).filter((s) => s.jobs.length > 0);
      out.worker = [first.metricsUrl, ...(await otherWorkers(rt, system, withJobs.slice(1))).map((w) => w.metricsUrl)];
    }
    return out;
  };
  return adapter;
}

/**
 * How the system's consumers redeliver in verify: a poison event is dead-lettered after this many
 * deliveries, retried quickly (the own dead-letter check waits for it).
 */
export const VERIFY_EVENTS = { maxDeliver: 2, retryBackoffMs: 20, ackWaitMs: 2000 };

/**
 * @typedef {import('../../generators/blueprints/contract.js').AppProcess} AppProcess
 * @typedef {{ env: Record<string, string>, services: Record<string, { databaseUrl: string, api: AppProcess, relay: AppProcess, consumer?: AppProcess }> }} RunningSystem
 */

/**
 * Every service of the project running on its database of the `app` label — its API, its relay, its
 * consumer when it keeps read models — started once per verify run: the gateway's upstream variables,
 * and each service's processes (the own event checks observe the consumers that really run, rather
 * than start rivals on the same durable consumers).
 * @param {Runtime} rt
 * @returns {Promise<RunningSystem>}
 */
export function runningSystem(rt) {
  return rt.state('microservices:system', async () => {
    const databases = await rt.migratedDatabases('app');
    /** @type {RunningSystem} */
    const system = { env: {}, services: {} };
    const events = { EVENTS_MAX_DELIVER: String(VERIFY_EVENTS.maxDeliver), EVENTS_RETRY_BACKOFF_MS: String(VERIFY_EVENTS.retryBackoffMs), EVENTS_ACK_WAIT_MS: String(VERIFY_EVENTS.ackWaitMs) };
    for (const s of servicesOf(rt)) {
      const databaseUrl = /** @type {{ url: string }} */ (databases.find((d) => d.entities.some((e) => s.entities.includes(e)))).url;
      const own = { SERVICE: s.name, DATABASE_URL: databaseUrl };
      const api = await rt.start('service', { env: own });
      const relay = await rt.start('relay', { env: own });
      const consumer = s.readModels.length > 0 ? await rt.start('consumer', { env: { ...own, ...events } }) : undefined;
      system.env[s.urlEnv] = api.url;
      system.services[s.name] = { databaseUrl, api, relay, ...(consumer ? { consumer } : {}) };
    }
    return system;
  });
}

/** @param {Runtime} rt */
const upstreams = async (rt) => (await runningSystem(rt)).env;

/**
 * The `worker` process verify starts: started only when a check asks for it (the no-worker check runs
 * before), so until then no service's jobs are consumed. The first service with jobs runs as `worker`
 * itself (the variables returned); every other service with jobs gets its worker started here.
 * @param {Runtime} rt
 * @returns {Promise<Record<string, string>>}
 */
async function workers(rt) {
  const system = await runningSystem(rt);
  const withJobs = servicesOf(rt).filter((s) => s.jobs.length > 0);
  const first = withJobs[0] ?? servicesOf(rt)[0];
  if (!first) return {};
  await otherWorkers(rt, system, withJobs.slice(1));
  return { SERVICE: first.name, DATABASE_URL: /** @type {{ databaseUrl: string }} */ (system.services[first.name]).databaseUrl };
}

/**
 * The workers of the services with jobs after the first, started once.
 * @param {Runtime} rt
 * @param {RunningSystem} system
 * @param {RuntimeService[]} services
 * @returns {Promise<AppProcess[]>}
 */
function otherWorkers(rt, system, services) {
  return rt.state('microservices:workers', async () => {
    /** @type {AppProcess[]} */
    const started = [];
    for (const s of services) {
      const own = system.services[s.name];
      if (own) started.push(await rt.start('service-worker', { env: { SERVICE: s.name, DATABASE_URL: own.databaseUrl } }));
    }
    return started;
  });
}
