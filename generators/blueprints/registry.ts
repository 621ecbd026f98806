/**
 * The blueprints, registered once as data (create-t3-app's `availablePackages` idea): the id union,
 * the prompt choices and the "not available yet" errors all derive from this list.
 */
export const BLUEPRINTS = [
  {
    id: 'monolith-cache',
    title: 'Monolith + cache',
    summary: 'one API process + one worker process; PostgreSQL; Redis for cache-aside, rate limits and the job queue',
    available: true,
  },
  {
    id: 'microservices',
    title: 'Microservices',
    summary: 'an API gateway + one service per bounded context, database per service, events with a transactional outbox',
    available: false,
  },
  {
    id: 'serverless',
    title: 'Serverless',
    summary: 'function handlers behind an HTTP API, a managed queue for jobs, PostgreSQL through a connection proxy',
    available: false,
  },
  {
    id: 'hybrid',
    title: 'Hybrid',
    summary: 'a container API (the monolith core) + separately deployed workers for async and bursty work',
    available: false,
  },
] as const;

export type BlueprintId = (typeof BLUEPRINTS)[number]['id'];
export const BLUEPRINT_IDS = BLUEPRINTS.map((b) => b.id) as unknown as readonly [BlueprintId, ...BlueprintId[]];

/** Optional parts of a generated project, chosen at the prompt or with --without. */
export const FEATURES = [
  { id: 'docker', title: 'Dockerfile and docker-compose.yml (api, worker, postgres, redis, prometheus, grafana)' },
  { id: 'ci', title: 'GitHub Actions CI workflow' },
  { id: 'monitoring', title: 'Prometheus config, alert rules and a Grafana dashboard' },
  { id: 'loadtest', title: 'autocannon load-test script (npm run test:load)' },
] as const;
export type FeatureId = (typeof FEATURES)[number]['id'];
export const FEATURE_IDS = FEATURES.map((f) => f.id) as unknown as readonly [FeatureId, ...FeatureId[]];
