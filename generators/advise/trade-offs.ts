/**
 * The trade-offs of each architecture advise compares, as the decision record's "options evaluated"
 * lists them. Advice data about the four architectures (like CAPACITY_SHAPES in capacity.ts), written
 * once here: advise describes architectures whether or not they are the one generated.
 */
import type { BlueprintId } from '../blueprints/registry.js';

export const TRADE_OFFS: Record<BlueprintId, { pros: string[]; cons: string[] }> = {
  'monolith-cache': {
    pros: ['one deployable and one database: simple to run, debug and change', 'lowest latency: in-process calls, a pooled connection, Redis cache-aside', 'cheapest at small and steady load'],
    cons: ['scales as a whole; one hot module scales everything', 'many teams contend for one release train'],
  },
  microservices: {
    pros: ['teams deploy independently', 'each service scales and fails on its own', 'data split by bounded context'],
    cons: ['the highest operational cost: gateway, broker, a database per service, distributed tracing', 'eventual consistency (outbox, idempotent consumers) in every cross-service flow'],
  },
  serverless: {
    pros: ['pay per request, scale to zero: cheapest for spiky or idle traffic', 'no servers to patch or size'],
    cons: ['cold starts in the p95 tail; connections through a proxy', 'per-request price exceeds provisioned capacity at high sustained load', 'long-lived connections (real time) need an external store'],
  },
  hybrid: {
    pros: ['the monolith core stays warm for the latency-critical path', 'bursty and async work moves to functions that scale on their own', 'a strangler-fig step from an existing system or towards services'],
    cons: ['two runtimes to deploy, observe and secure', 'an outbox between them to keep them consistent'],
  },
};
