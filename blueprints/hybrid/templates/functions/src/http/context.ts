/**
 * The database client of one queue batch (the serverless consumer's `lazyDatabase`): opened through
 * Hyperdrive on first use, closed when the batch is done. Hyperdrive pools the real connections next
 * to PostgreSQL, so a burst of isolates never exhausts the API's database.
 */
import type pg from 'pg';
import { connect } from '../db/pool.js';
import type { Config, WorkerEnv } from '../env.js';

export function lazyDatabase(env: WorkerEnv, config: Config): { db(): Promise<pg.Client>; close(): Promise<void> } {
  let client: Promise<pg.Client> | undefined;
  return {
    db: () =>
      (client ??= connect({
        connectionString: env.HYPERDRIVE.connectionString,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      })),
    close: async () => {
      if (!client) return;
      const opened = client;
      client = undefined;
      await opened.then((c) => c.end()).catch(() => undefined);
    },
  };
}
