/**
 * Applies one service's SQL files (migrations/<service>/) to that service's database with
 * node-pg-migrate: each service has its own migration stream, recorded in its own pgmigrations table;
 * runs take an advisory lock and every file runs in its own transaction.
 */
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export function migrationsDir(service: string): string {
  return fileURLToPath(new URL(`../../migrations/${service}`, import.meta.url));
}

interface MigrationLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Applies every pending migration of `service`; returns the names applied. */
export async function migrateUp(
  databaseUrl: string,
  service: string,
  log: MigrationLogger = console,
): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir(service),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    verbose: false,
    logger: {
      debug: () => undefined,
      info: (msg: string) => log.info(msg),
      warn: (msg: string) => log.warn(msg),
      // Files are numbered 0001_, 0002_…; node-pg-migrate reports that the number is not a timestamp: noise.
      error: (msg: string) => {
        if (!msg.startsWith("Can't determine timestamp")) log.error(msg);
      },
    },
  });
  return applied.map((m) => m.name);
}
