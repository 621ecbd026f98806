/** API process: `npm start` (built) or `npm run dev`. */
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config.js';
import { buildMetricsServer } from './http/health.js';

const config = loadConfigOrExit();
const app = await buildApp({ config });
const metricsServer = buildMetricsServer(app);

let closing = false;
async function shutdown(signal: string) {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down: no new connections, draining in-flight requests');
  const force = setTimeout(() => {
    app.log.error('graceful shutdown timed out; exiting');
    process.exit(1);
  }, config.SHUTDOWN_TIMEOUT_MS);
  force.unref();
  try {
    await metricsServer.close();
    await app.close(); // stops listening, waits for in-flight requests, then closes the pool, Redis and queues
    process.exit(0);
  } catch (err) {
    app.log.error({ err }, 'error during shutdown');
    process.exit(1);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

try {
  await app.listen({ host: config.HOST, port: config.PORT });
  await metricsServer.listen({ host: config.HOST, port: config.METRICS_PORT });
  app.log.info({ port: config.METRICS_PORT }, 'metrics on /metrics');
} catch (err) {
  app.log.fatal({ err }, 'could not start the API');
  process.exit(1);
}
