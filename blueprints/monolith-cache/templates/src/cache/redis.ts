import { Redis } from 'ioredis';

/**
 * The API's Redis client (cache, idempotency keys, rate limits). Commands time out after 1 s and are
 * retried once across a reconnect, so a Redis outage degrades requests instead of hanging them.
 */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
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
