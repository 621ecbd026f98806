import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { migrateUp } from '../src/db/migrations.js';
import { admin } from './support/admin-sql.js';
import { requireServers } from './support/servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's own database (created here, dropped after the run); tests never touch DATABASE_URL's data. */
    testDatabaseUrl: string;
  }
}

/**
 * Runs once before all test files: checks the servers are there, creates a database of the run's own
 * on DATABASE_URL's server (so `npm test` never reads or writes the data DATABASE_URL points at),
 * applies the migrations to it, and drops it when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { databaseUrl, redisUrl } = requireServers();
  const name = `test_${new Date().toISOString().slice(0, 10).replaceAll('-', '')}_${randomBytes(4).toString('hex')}`;
  await admin(databaseUrl, `CREATE DATABASE ${name}`).catch((err: unknown) => {
    throw new Error(
      `Cannot create the test database on DATABASE_URL's server (the role needs CREATEDB): ${(err as Error).message}`,
    );
  });
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const testDatabaseUrl = url.toString();
  const drop = () => admin(databaseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  try {
    await migrateUp(testDatabaseUrl, { info: () => undefined, warn: console.warn, error: console.error });
    await checkRedis(redisUrl);
  } catch (err) {
    await drop();
    throw err;
  }
  project.provide('testDatabaseUrl', testDatabaseUrl);
  return drop;
}

async function checkRedis(redisUrl: string): Promise<void> {
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
