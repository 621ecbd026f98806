// @ts-check
/**
 * The hybrid's runtime adapter: the monolith's (build to dist/, its migration runner, the API and the
 * worker, tokens, the page shape) plus the relay process (dist/relay.js, ready on its metrics port) and
 * the signing secret every container process is started with.
 */
import { randomBytes } from 'node:crypto';
import { monolithRuntime } from '../monolith-cache/runtime.js';

/**
 * @param {import('../../generators/blueprints/contract.js').Runtime} rt
 * @returns {import('../../generators/blueprints/contract.js').RuntimeAdapter}
 */
export function hybridRuntime(rt) {
  const base = monolithRuntime(rt);
  const signingSecret = randomBytes(32).toString('hex');
  return {
    ...base,
    env(rt) {
      return { ...base.env(rt), OFFLOAD_SIGNING_SECRET: signingSecret };
    },
    processes: {
      ...base.processes,
      relay: { args: ['dist/relay.js'], portEnv: 'RELAY_METRICS_PORT', ready: '/health/live' },
      // The functions under `wrangler dev` (workerd, local queues, Hyperdrive pointed at DATABASE_URL).
      functions: { args: ['functions/scripts/dev.mjs'], portEnv: 'PORT', ready: '/health' },
    },
    // What runs an offloaded job: the functions (shared, started once) and a relay delivering to them.
    async startHandedOff(rt) {
      const functions = await rt.shared('functions');
      const relay = await rt.start('relay', { env: { OFFLOAD_INGRESS_URL: `${functions.url}/ingress`, RELAY_INTERVAL_MS: '50', RELAY_BACKOFF_BASE_MS: '200' } });
      return {
        stop: () => relay.stop(),
        output: () => `relay: ${rt.tail(relay.output(), 5)}\nfunctions: ${rt.tail(functions.output(), 10)}`,
      };
    },
  };
}
