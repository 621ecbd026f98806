/**
 * Applies the SQL files in migrations/ with node-pg-migrate: applied migrations are recorded in the
 * pgmigrations table, runs take an advisory lock (two deploys never migrate at once) and every
 * file runs in its own transaction.
 */
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

interface MigrationLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(databaseUrl: string, log: MigrationLogger = console): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    verbose: false,
    logger: {
      debug: () => undefined,
      info: (msg: string) => log.info(msg),
      warn: (msg: string) => log.warn(msg),
      // Files are numbered 0001_, 0002_… rather than timestamped; node-pg-migrate orders them by that
      // number correctly but reports that it is not a timestamp. That report is noise, not an error.
      error: (msg: string) => {
        if (!msg.startsWith("Can't determine timestamp")) log.error(msg);
      },
    },
  });
  return applied.map((m) => m.name);
}
