/** The event consumer process of one service (its read models): `SERVICE=<name> npm run consumer`. */
import { loadConfigOrExit } from '../config.js';
import { createPool } from '../db/pool.js';
import { startConsumers } from './consumer.js';
import { startHealthServer, stopOnSignal } from './health-server.js';
import { consumerMetricHooks, createConsumerMetrics, zeroConsumerCounters } from './metrics.js';
import { connectEvents } from './nats.js';
import { READ_MODELS } from './topology.js';

const config = loadConfigOrExit();
const db = createPool(config, `${config.SERVICE}-consumer`);
const events = await connectEvents(config.NATS_URL, `${config.SERVICE}-consumer`);
const write = (level: string) => (obj: object, msg: string) => console.error(JSON.stringify({ level, msg, ...obj }));
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
  log: { error: write('error'), warn: write('warn') },
  metrics: consumerMetricHooks(m),
});
const health = startHealthServer(config.HOST, config.PORT, () => !events.nc.isClosed(), m.registry);
// SIGTERM: finish the work in hand, then close the health server, the broker and the pool, in that order.
stopOnSignal([() => consumers.stop(), () => health.close(), () => events.close(), () => db.end()]);
