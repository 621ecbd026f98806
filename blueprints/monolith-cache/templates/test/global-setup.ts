import { Redis } from 'ioredis';
import { migrateUp } from '../src/db/migrations.js';
import { requireServers } from './support/servers.js';

/** Runs once before all test files: checks the servers are there and applies pending migrations. */
export default async function setup(): Promise<void> {
  const { databaseUrl, redisUrl } = requireServers();
  await migrateUp(databaseUrl, { info: () => undefined, warn: console.warn, error: console.error });
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis at REDIS_URL is not reachable: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
