// @ts-check
/**
 * The microservices runtime adapter: the monolith's (build to dist/, its migration runner, the API and
 * worker processes, tokens, the page shape), plus the event processes verify's own checks start —
 * each service's relay and consumer, told which service they run by SERVICE.
 */
import { monolithRuntime } from '../monolith-cache/runtime.js';

/**
 * @param {import('../../generators/blueprints/contract.js').Runtime} rt
 * @returns {import('../../generators/blueprints/contract.js').RuntimeAdapter}
 */
export function microservicesRuntime(rt) {
  const base = monolithRuntime(rt);
  return {
    ...base,
    processes: {
      ...base.processes,
      relay: { args: ['dist/events/relay-main.js'], portEnv: 'PORT', ready: '/health/ready' },
      consumer: { args: ['dist/events/consumer-main.js'], portEnv: 'PORT', ready: '/health/ready' },
    },
  };
}
