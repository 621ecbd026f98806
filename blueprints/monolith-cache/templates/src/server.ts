/** API process: `npm start` (built) or `npm run dev`. */
import { buildApp } from './app.js';
import { loadConfigOrExit } from './config.js';
import { buildMetricsServer } from './http/health.js';
import { exitGracefully } from './lib/shutdown.js';

const config = loadConfigOrExit();
const app = await buildApp({ config });
const metricsServer = buildMetricsServer(app);

exitGracefully(app.log, {
  draining: 'no new connections, draining in-flight requests',
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  drain: async () => {
    await metricsServer.close();
    await app.close(); // stops listening, waits for in-flight requests, then closes the pool, Redis and queues
  },
});

try {
  await app.listen({ host: config.HOST, port: config.PORT });
  await metricsServer.listen({ host: config.HOST, port: config.METRICS_PORT });
  app.log.info({ port: config.METRICS_PORT }, 'metrics on /metrics');
} catch (err) {
  app.log.fatal({ err }, 'could not start the API');
  process.exit(1);
}
