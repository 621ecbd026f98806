/** The outbox relay process of one service: `SERVICE=<name> npm run relay`. */
import { pino } from 'pino';
import { loadConfigOrExit } from '../config.js';
import { createPool } from '../db/pool.js';
import { loggerOptions } from '../observability/logger.js';
import { startHealthServer, stopOnSignal } from './health-server.js';
import { createRelayMetrics } from './metrics.js';
import { connectEvents } from './nats.js';
import { startRelay } from './relay.js';

const config = loadConfigOrExit();
const db = createPool(config, `${config.SERVICE}-relay`);
const events = await connectEvents(config.NATS_URL, `${config.SERVICE}-relay`);
// pino, like the API and the worker: a failed batch's error is logged with its message and stack (JSON.stringify drops both).
const log = pino(loggerOptions(config.LOG_LEVEL)).child({ service: config.SERVICE, process: 'relay' });
const m = createRelayMetrics();
const relay = startRelay({
  db,
  js: events.js,
  batchSize: config.RELAY_BATCH_SIZE,
  intervalMs: config.RELAY_INTERVAL_MS,
  log,
  metrics: {
    published: (n) => m.relay_published_total.inc(n),
    failed: () => m.relay_publish_failures_total.inc(),
    lagSeconds: (s) => m.outbox_lag_seconds.set(s),
  },
});
const health = startHealthServer(config.HOST, config.PORT, () => !events.nc.isClosed(), m.registry);
// SIGTERM: finish the work in hand, then close the health server, the broker and the pool, in that order.
stopOnSignal([() => relay.stop(), () => health.close(), () => events.close(), () => db.end()]);
