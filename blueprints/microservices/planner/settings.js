// @ts-check
/**
 * What the microservices blueprint adds to the monolith's dependency pins and environment.
 * @nats-io 3.4.0 runs on Node 20 (verified: msgID dedup, durable pull consumers with explicit ack).
 */
/** @typedef {import('../../../generators/blueprints/contract.js').EnvVarPlan} EnvVarPlan */

export const MICRO_DEPENDENCIES = {
  '@nats-io/jetstream': '3.4.0',
  '@nats-io/transport-node': '3.4.0',
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
