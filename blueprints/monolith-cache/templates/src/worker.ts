/**
 * Worker process (`npm run start:worker`): runs the BullMQ workers and serves its own /metrics
 * (job_duration_seconds, job_failures_total) on WORKER_METRICS_PORT.
 */
import { createServer } from 'node:http';
import { pino } from 'pino';
import { loadConfigOrExit } from './config.js';
import { createPool } from './db/pool.js';
import { startWorkers } from './jobs/worker-runtime.js';
import { exitGracefully } from './lib/shutdown.js';
import { loggerOptions } from './observability/logger.js';
import { createWorkerMetrics } from './observability/metrics.js';

const config = loadConfigOrExit();
const log = pino(loggerOptions(config.LOG_LEVEL));
const db = createPool(config, 'worker');
const metrics = createWorkerMetrics();
const running = startWorkers({ config, db, log, metrics });

const server = createServer((req, res) => {
  if (req.url === '/metrics') {
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  } else if (req.url === '/health/live') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  } else {
    res.writeHead(404).end();
  }
});
server.listen(config.WORKER_METRICS_PORT, config.HOST, () =>
  log.info({ port: config.WORKER_METRICS_PORT }, 'worker started; metrics on /metrics'),
);

exitGracefully(log, {
  draining: 'finishing active jobs',
  lost: 'unfinished jobs will be retried as stalled',
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  drain: async () => {
    await running.close();
    await db.end();
    server.close();
  },
});
