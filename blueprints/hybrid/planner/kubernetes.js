// @ts-check
/**
 * The container half's Kubernetes deployment as data, in the shape the microservices blueprint's k8s/
 * templates print (mounted from there, not copied): the API (Service, autoscaler, reachable from
 * outside), the worker and the relay (no Service, no ingress), each with probes, requests and limits, a
 * non-root security context and a PodDisruptionBudget; one ConfigMap; one Secret referenced by key.
 */

const PORT = 3000;
const METRICS_PORT = 9465;
const WORKER_PORT = 9464;
const RELAY_PORT = 9466;

/** Variables whose values are the deployer's secrets (never in the ConfigMap). */
const SECRET_KEYS = ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'OFFLOAD_SIGNING_SECRET'];

/**
 * @param {{ project: string, version: string, env: { name: string, default: string | null, secret: boolean }[] }} args
 */
export function kubernetesPlan({ project, version, env }) {
  const secret = `${project}-secrets`;
  const partOf = { 'app.kubernetes.io/part-of': project };
  /** @param {string} name @param {string} component */
  const labels = (name, component) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': component, ...partOf });
  const secretEnv = SECRET_KEYS.map((key) => ({ name: key, secret, key }));
  /** A process without an HTTP API: health (and metrics) on its own port, one replica, reachable by nobody. */
  const background = (/** @type {string} */ name, /** @type {string} */ entry, /** @type {number} */ port) => ({
    name,
    labels: labels(name, name),
    command: ['node', entry],
    env: [],
    secretEnv,
    ports: [{ name: 'health', port }],
    probes: { live: { path: '/health/live', port }, ready: { path: '/health/live', port } },
    replicas: 1,
    autoscale: null,
    service: null,
    ingress: 'none',
  });
  const config = Object.fromEntries(
    env
      .filter((v) => !v.secret && !SECRET_KEYS.includes(v.name) && v.name !== 'PORT' && v.default !== null)
      .map((v) => [v.name, v.name === 'NODE_ENV' ? 'production' : v.name === 'HOST' ? '0.0.0.0' : /** @type {string} */ (v.default)]),
  );
  return {
    image: `${project}:${version}`,
    configMap: `${project}-config`,
    config,
    secrets: [{ name: secret, keys: SECRET_KEYS }],
    workloads: [
      {
        name: 'api',
        labels: labels('api', 'api'),
        command: ['node', 'dist/server.js'],
        env: [],
        secretEnv,
        ports: [
          { name: 'http', port: PORT },
          { name: 'metrics', port: METRICS_PORT },
        ],
        probes: { live: { path: '/health/live', port: PORT }, ready: { path: '/health/ready', port: PORT } },
        replicas: 2,
        autoscale: { min: 2, max: 10 },
        service: { port: PORT },
        ingress: 'world',
      },
      background('worker', 'dist/worker.js', WORKER_PORT),
      // Several relays may run (rows are claimed with SKIP LOCKED); one is enough for most outboxes.
      background('relay', 'dist/relay.js', RELAY_PORT),
    ],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    metricsPort: METRICS_PORT,
    networkNote: [
      'Ingress is denied by default; the API is the only workload reachable (from anywhere, on its HTTP port).',
      'The worker and the relay take no connections: the relay only calls out, to the functions\' ingress.',
    ],
  };
}
