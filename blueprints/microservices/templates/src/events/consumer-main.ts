/** The event consumer process of one service (its read models): `SERVICE=<name> npm run consumer`. */
import { pino } from 'pino';
import { loadConfigOrExit } from '../config.js';
import { createPool } from '../db/pool.js';
import { loggerOptions } from '../observability/logger.js';
import { startConsumers } from './consumer.js';
import { startHealthServer, stopOnSignal } from './health-server.js';
import { consumerMetricHooks, createConsumerMetrics, zeroConsumerCounters } from './metrics.js';
import { connectEvents } from './nats.js';
import { READ_MODELS } from './topology.js';

const config = loadConfigOrExit();
const db = createPool(config, `${config.SERVICE}-consumer`);
const events = await connectEvents(config.NATS_URL, `${config.SERVICE}-consumer`);
// pino, like the API and the worker: a failed event's error is logged with its message and stack (JSON.stringify drops both).
const log = pino(loggerOptions(config.LOG_LEVEL)).child({ service: config.SERVICE, process: 'consumer' });
const m = createConsumerMetrics();
zeroConsumerCounters(
  m,
  (READ_MODELS[config.SERVICE] ?? []).map((model) => model.durable),
);
const consumers = await startConsumers({
  service: config.SERVICE,
  db,
  events,
  maxDeliver: config.EVENTS_MAX_DELIVER,
  ackWaitMs: config.EVENTS_ACK_WAIT_MS,
  backoffMs: config.EVENTS_RETRY_BACKOFF_MS,
  log,
  metrics: consumerMetricHooks(m),
});
const health = startHealthServer(config.HOST, config.PORT, () => !events.nc.isClosed(), m.registry);
// SIGTERM: finish the work in hand, then close the health server, the broker and the pool, in that order.
stopOnSignal([() => consumers.stop(), () => health.close(), () => events.close(), () => db.end()]);
