import { Redis } from 'ioredis';

/**
 * The API's Redis clients. Commands time out after 1 s and are retried once across a reconnect, so a
 * Redis outage degrades requests instead of hanging them.
 *
 * `autoPipelining` (the request path: cache, idempotency keys, rate-limit leases): the commands issued
 * in one event-loop turn leave in one write instead of one write(2) each. Under load, a write per cached
 * read was about a quarter of the API's CPU. BullMQ's producers get a client without it: BullMQ does not
 * support auto-pipelined connections.
 */
export function createRedis(url: string, { autoPipelining = false } = {}): Redis {
  const redis = new Redis(url, {
    enableAutoPipelining: autoPipelining,
    connectTimeout: 2000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 1,
    // Reconnect with capped exponential backoff: 50 ms, 100 ms, … up to 2 s.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  });
  // Without a listener, a connection error would be an unhandled 'error' event.
  redis.on('error', () => undefined);
  return redis;
}

/** BullMQ needs connections that retry forever (maxRetriesPerRequest: null) for its blocking commands. */
export function createQueueConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  return redis;
}
