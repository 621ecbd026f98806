/**
 * `npm run migrate`: applies pending migrations from migrations/ to DATABASE_URL with node-pg-migrate
 * (applied ones recorded in pgmigrations, an advisory lock so two deploys never migrate at once, one
 * transaction per file). Runs from a machine or CI with a direct connection, never from the Worker.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

if (existsSync(new URL('../.env', import.meta.url)))
  process.loadEnvFile(fileURLToPath(new URL('../.env', import.meta.url)));
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL is not set: point it at the PostgreSQL to migrate');
  process.exit(1);
}

try {
  const applied = await runner({
    databaseUrl,
    dir: fileURLToPath(new URL('../migrations', import.meta.url)),
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    verbose: false,
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (msg: string) => console.warn(msg),
      // Files are numbered 0001_, 0002_… rather than timestamped; node-pg-migrate orders them by that
      // number correctly but reports that it is not a timestamp. That report is noise, not an error.
      error: (msg: string) => {
        if (!msg.startsWith("Can't determine timestamp")) console.error(msg);
      },
    },
  });
  console.log(applied.length > 0 ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations');
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
