/**
 * Relay process (`npm run start:relay`): delivers the outbox of offloaded jobs to the functions'
 * ingress (src/offload/relay.ts) and serves /metrics (outbox lag, deliveries, offloaded job states) and
 * /health/live on RELAY_METRICS_PORT. Run one or more: rows are claimed with SKIP LOCKED.
 */
import { createServer } from 'node:http';
import { pino } from 'pino';
import { loadConfigOrExit } from './config.js';
import { createPool } from './db/pool.js';
import { exitGracefully } from './lib/shutdown.js';
import { createRelayMetrics } from './offload/metrics.js';
import { refreshRelayGauges, startRelay } from './offload/relay.js';
import { loggerOptions } from './observability/logger.js';

const config = loadConfigOrExit([
  'HOST',
  'LOG_LEVEL',
  'DATABASE_URL',
  'DATABASE_POOL_MAX',
  'DATABASE_STATEMENT_TIMEOUT_MS',
  'SHUTDOWN_TIMEOUT_MS',
  'OFFLOAD_INGRESS_URL',
  'OFFLOAD_SIGNING_SECRET',
  'RELAY_BATCH_SIZE',
  'RELAY_INTERVAL_MS',
  'RELAY_BACKOFF_BASE_MS',
  'RELAY_MAX_ATTEMPTS',
  'RELAY_METRICS_PORT',
]);
const log = pino(loggerOptions(config.LOG_LEVEL));
const db = createPool(config, 'relay');
const metrics = createRelayMetrics();
const relay = startRelay(
  db,
  {
    ingressUrl: config.OFFLOAD_INGRESS_URL,
    signingSecret: config.OFFLOAD_SIGNING_SECRET,
    batchSize: config.RELAY_BATCH_SIZE,
    intervalMs: config.RELAY_INTERVAL_MS,
    backoffBaseMs: config.RELAY_BACKOFF_BASE_MS,
    maxAttempts: config.RELAY_MAX_ATTEMPTS,
  },
  log,
  metrics,
);

const server = createServer((req, res) => {
  if (req.url === '/metrics') {
    refreshRelayGauges(db, metrics)
      .catch((err: unknown) => log.warn({ err }, 'outbox gauges unavailable'))
      .then(() => metrics.registry.metrics())
      .then(
        (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
  } else if (req.url === '/health/live') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  } else {
    res.writeHead(404).end();
  }
});
server.listen(config.RELAY_METRICS_PORT, config.HOST, () =>
  log.info(
    { port: config.RELAY_METRICS_PORT, ingress: config.OFFLOAD_INGRESS_URL },
    'relay started; metrics on /metrics',
  ),
);

exitGracefully(log, {
  draining: 'committing the batch in flight',
  lost: 'undelivered rows stay in the outbox',
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  drain: async () => {
    await relay.close();
    await db.end();
    server.close();
  },
});
