// @ts-check
/**
 * The Kubernetes deployment as data: one Deployment per process (the gateway; per service its API,
 * outbox relay, event consumer when it keeps read models, and job worker when it has jobs), each with probes, requests
 * and limits, a non-root security context, a PodDisruptionBudget; a Service and an autoscaler for the
 * HTTP ones; one ConfigMap; Secrets referenced by name and key (values are the deployer's); network
 * policies that deny ingress by default, open the gateway to the outside and each service's API to the
 * gateway only. The templates under k8s/ print this.
 */

const PORT = 3000;
const METRICS_PORT = 9465;
const WORKER_PORT = 9464;
/** The NATS server image, pinned (the version compose runs, with a patch level). */
const NATS_IMAGE = 'nats:2.10.22-alpine';

/**
 * @param {{ project: string, version: string, services: { name: string, readModels: unknown[], jobs: string[] }[], env: { name: string, default: string | null, secret: boolean }[] }} args
 */
export function kubernetesPlan({ project, version, services, env }) {
  const shared = `${project}-shared`;
  const image = `${project}:${version}`;
  const partOf = { 'app.kubernetes.io/part-of': project };
  /** @param {string} name @param {string} component @param {string} [service] */
  const labels = (name, component, service) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': component, ...partOf, ...(service ? { [`${project}/service`]: service } : {}) });
  const http = (/** @type {number} */ port) => ({ live: { path: '/health/live', port }, ready: { path: '/health/ready', port } });
  const sharedSecrets = [
    { name: 'JWT_SECRET', secret: shared, key: 'JWT_SECRET' },
    { name: 'REDIS_URL', secret: shared, key: 'REDIS_URL' },
  ];
  const gateway = {
    name: 'gateway',
    labels: labels('gateway', 'gateway'),
    command: ['node', 'dist/gateway/server.js'],
    env: [],
    secretEnv: sharedSecrets,
    ports: [{ name: 'http', port: PORT }],
    probes: http(PORT),
    replicas: 2,
    autoscale: { min: 2, max: 10 },
    service: { port: PORT },
    ingress: 'world',
  };
  const perService = services.flatMap((s) => {
    const database = { name: 'DATABASE_URL', secret: `${s.name}-database`, key: 'DATABASE_URL' };
    const base = { env: [{ name: 'SERVICE', value: s.name }], secretEnv: [database, ...sharedSecrets] };
    /** A process without an HTTP API (health and metrics on PORT), one replica, reachable by nobody. */
    const eventProcess = (/** @type {string} */ component, /** @type {string} */ entry) => ({
      ...base,
      name: `${s.name}-${component}`,
      labels: labels(`${s.name}-${component}`, component, s.name),
      command: ['node', entry],
      ports: [{ name: 'health', port: PORT }],
      probes: http(PORT),
      replicas: 1,
      autoscale: null,
      service: null,
      ingress: 'none',
    });
    return [
      {
        ...base,
        name: `${s.name}-api`,
        labels: labels(`${s.name}-api`, 'api', s.name),
        command: ['node', 'dist/server.js'],
        ports: [
          { name: 'http', port: PORT },
          { name: 'metrics', port: METRICS_PORT },
        ],
        probes: http(PORT),
        replicas: 2,
        autoscale: { min: 2, max: 10 },
        service: { port: PORT },
        ingress: 'gateway',
      },
      eventProcess('relay', 'dist/events/relay-main.js'),
      ...(s.readModels.length > 0 ? [eventProcess('consumer', 'dist/events/consumer-main.js')] : []),
      // A job worker only where the service has jobs to run.
      ...(s.jobs.length > 0 ? [{
        ...base,
        name: `${s.name}-worker`,
        labels: labels(`${s.name}-worker`, 'worker', s.name),
        command: ['node', 'dist/worker.js'],
        ports: [{ name: 'health', port: WORKER_PORT }],
        probes: { live: { path: '/health/live', port: WORKER_PORT }, ready: { path: '/health/live', port: WORKER_PORT } },
        replicas: 1,
        autoscale: null,
        service: null,
        ingress: 'none',
      }] : []),
    ];
  });
  const secretNames = new Set(['DATABASE_URL', 'JWT_SECRET', 'REDIS_URL']);
  // In the cluster: production mode, every service's URL is its Service's DNS name, NATS is the broker's Service.
  /** @type {Record<string, string>} */
  const overrides = {
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    NATS_URL: 'nats://nats:4222',
    ...Object.fromEntries(services.map((s) => [`${s.name.replace(/-/g, '_').toUpperCase()}_SERVICE_URL`, `http://${s.name}-api:${PORT}`])),
  };
  const config = Object.fromEntries(
    env
      .filter((v) => !v.secret && !secretNames.has(v.name) && v.name !== 'SERVICE' && v.name !== 'PORT' && (v.default !== null || v.name in overrides))
      .map((v) => [v.name, overrides[v.name] ?? /** @type {string} */ (v.default)]),
  );
  return {
    image,
    configMap: `${project}-config`,
    config,
    secrets: [
      { name: shared, keys: ['JWT_SECRET', 'REDIS_URL'] },
      ...services.map((s) => ({ name: `${s.name}-database`, keys: ['DATABASE_URL'] })),
    ],
    // The broker is printed by the same template (k8s/nats.yaml: its StatefulSet, from `nats` below).
    workloads: [gateway, ...perService, { name: 'nats', broker: true, labels: labels('nats', 'broker'), ingress: 'none' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    metricsPort: METRICS_PORT,
    // The broker: one NATS server with JetStream, its stream files on a PersistentVolumeClaim (events
    // survive a restart), reached through the headless Service `nats` (NATS_URL above) by the relays and
    // consumers only. JetStream's own limits stay under the container's (memory store 64 MiB of 512 MiB).
    nats: {
      name: 'nats',
      image: NATS_IMAGE,
      labels: labels('nats', 'broker'),
      clientPort: 4222,
      monitorPort: 8222,
      storage: '2Gi',
      // nats-server keeps its streams under <store_dir>/jetstream.
      storeDir: '/data',
      maxMemoryStore: '64MB',
      maxFileStore: '1536MB',
      resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      clients: ['relay', 'consumer'],
    },
  };
}
