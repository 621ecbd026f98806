/**
 * Access to the real PostgreSQL and Redis the suite runs against (DATABASE_URL / REDIS_URL, set by
 * test/support/with-servers.js). Missing → the test fails saying what to set; it never skips.
 */
import { execa } from 'execa';
import { findServerBinaries } from '../../generators/servers/throwaway.js';

export function requireServers(): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl)
    throw new Error('DATABASE_URL and REDIS_URL must be set: run the suite with `npm test` (it starts throwaway servers) or set them to real servers.');
  return { databaseUrl, redisUrl };
}

/** A fresh, empty database on the same server; returns its URL. */
export async function freshDatabase(name: string): Promise<string> {
  const { databaseUrl } = requireServers();
  const psql = findServerBinaries().psql ?? 'psql';
  const dbName = `${name}_${process.pid}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/g, '_');
  await execa(psql, [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${dbName}`]);
  const url = new URL(databaseUrl);
  url.pathname = `/${dbName}`;
  return url.toString();
}

/** The same Redis server, another logical database (keeps suites from sharing keys). */
export function redisDatabase(index: number): string {
  const url = new URL(requireServers().redisUrl);
  url.pathname = `/${index}`;
  return url.toString();
}
