/** The gateway process: `npm run start:gateway` (built) or `npm run dev:gateway`. */
import { loadConfigOrExit } from '../config.js';
import { buildGateway, GATEWAY_CONFIG_KEYS } from './app.js';

const config = loadConfigOrExit(GATEWAY_CONFIG_KEYS);
const app = await buildGateway(config);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'shutting down');
    void app.close().then(() => process.exit(0));
  });
}
await app.listen({ host: config.HOST, port: config.PORT });
