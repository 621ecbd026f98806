// @ts-check
/**
 * What the microservices blueprint adds to the monolith's dependency pins and environment.
 * @nats-io 3.4.0 runs on Node 20 (verified: msgID dedup, durable pull consumers with explicit ack).
 */
/** @typedef {import('../../../generators/blueprints/contract.js').EnvVarPlan} EnvVarPlan */

export const MICRO_DEPENDENCIES = {
  '@nats-io/jetstream': '3.4.0',
  '@nats-io/transport-node': '3.4.0',
  // The gateway's keep-alive pools to the services (6.x: Node 18.17+, so 20, 22 and 24).
  undici: '6.29.1',
};

/** The generated tests validate the Kubernetes manifests with these (kubernetes-models 4.x runs on Node 20). */
export const MICRO_DEV_DEPENDENCIES = {
  'kubernetes-models': '4.5.1',
  yaml: '2.8.1',
};

/** @type {EnvVarPlan[]} */
export const MICRO_ENV = [
  { name: 'NATS_URL', description: 'NATS server with JetStream (events between services)', kind: 'url', required: false, default: 'nats://127.0.0.1:4222', example: 'nats://127.0.0.1:4222', secret: false, zod: 'url()' },
  { name: 'EVENTS_MAX_DELIVER', description: 'Deliveries of one event before it is dead-lettered', kind: 'int', required: false, default: '5', example: '5', secret: false, min: 1, zod: 'int(1)' },
  { name: 'EVENTS_ACK_WAIT_MS', description: 'How long a consumer may hold an event before it is redelivered', kind: 'int', required: false, default: '30000', example: '30000', secret: false, min: 100, zod: 'int(100)' },
  { name: 'EVENTS_RETRY_BACKOFF_MS', description: 'First redelivery delay after a failed event (doubles per delivery)', kind: 'int', required: false, default: '1000', example: '1000', secret: false, min: 1, zod: 'int(1)' },
  { name: 'RELAY_BATCH_SIZE', description: 'Outbox rows the relay publishes per batch', kind: 'int', required: false, default: '100', example: '100', secret: false, min: 1, zod: 'int(1)' },
  { name: 'RELAY_INTERVAL_MS', description: 'Pause of the relay when the outbox is empty (and first retry delay after a failure, doubling)', kind: 'int', required: false, default: '200', example: '200', secret: false, min: 10, zod: 'int(10)' },
  { name: 'GATEWAY_UPSTREAM_TIMEOUT_MS', description: 'Timeout of one gateway call to a service (504 after it)', kind: 'int', required: false, default: '5000', example: '5000', secret: false, min: 10, zod: 'int(10)' },
];

/** @typedef {import('../../../generators/blueprints/contract.js').MetricPlan} MetricPlan */
/** @typedef {import('../../../generators/blueprints/contract.js').AlertPlan} AlertPlan */

const SEED_003_EVENTS = '003_b0ab1a6ac988f798.txt — Event-driven architecture (reliable delivery, dead letters)';

/** What the event processes export (src/events/metrics.ts), each on its own /metrics (the health port). */
/** @type {MetricPlan[]} */
export const EVENT_METRICS = [
  { name: 'outbox_lag_seconds', type: 'gauge', help: 'Age of the oldest unsent outbox row (0 when drained)', labels: [], process: 'relay' },
  { name: 'relay_published_total', type: 'counter', help: 'Outbox rows published to the broker', labels: [], process: 'relay' },
  { name: 'relay_publish_failures_total', type: 'counter', help: 'Relay batches that failed (retried with backoff)', labels: [], process: 'relay' },
  { name: 'events_applied_total', type: 'counter', help: 'Events applied to a read model (first delivery of each)', labels: ['consumer'], process: 'consumer' },
  { name: 'events_redelivered_total', type: 'counter', help: 'Deliveries of an event after its first', labels: ['consumer'], process: 'consumer' },
  { name: 'events_dead_lettered_total', type: 'counter', help: 'Events given up after the maximum deliveries', labels: ['consumer'], process: 'consumer' },
  {
    name: 'read_model_event_age_seconds',
    type: 'histogram',
    help: 'Read-model staleness: seconds from an event\'s commit in its owning service to its effect on this read model',
    labels: ['consumer'],
    process: 'consumer',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
  },
];

/** @type {AlertPlan[]} */
export const EVENT_ALERTS = [
  { name: 'OutboxLag', expr: 'max(outbox_lag_seconds) > 60', for: '5m', severity: 'page', summary: 'Events wait more than a minute in an outbox: the relay or the broker is stuck', source: SEED_003_EVENTS, metrics: ['outbox_lag_seconds'] },
  { name: 'RelayPublishFailures', expr: 'sum(rate(relay_publish_failures_total[5m])) > 0', for: '10m', severity: 'ticket', summary: 'The outbox relay keeps failing to publish', source: SEED_003_EVENTS, metrics: ['relay_publish_failures_total'] },
  { name: 'EventsDeadLettered', expr: 'sum(increase(events_dead_lettered_total[15m])) > 0', for: '0m', severity: 'ticket', summary: 'A consumer dead-lettered an event: its read model misses a change', source: SEED_003_EVENTS, metrics: ['events_dead_lettered_total'] },
  {
    name: 'ReadModelStale',
    expr: 'histogram_quantile(0.95, sum by (le, consumer) (rate(read_model_event_age_seconds_bucket[10m]))) > 60',
    for: '10m',
    severity: 'ticket',
    summary: 'A read model applies events more than a minute after they happened (p95): creates naming those rows may get 422',
    source: SEED_003_EVENTS,
    metrics: ['read_model_event_age_seconds'],
  },
  { name: 'EventRedeliveries', expr: 'sum by (consumer) (rate(events_redelivered_total[10m])) / clamp_min(sum by (consumer) (rate(events_applied_total[10m])), 1e-9) > 0.1', for: '10m', severity: 'ticket', summary: 'More than 10% of event deliveries are redeliveries', source: SEED_003_EVENTS, metrics: ['events_redelivered_total', 'events_applied_total'] },
];
