/** `SERVICE=<name> npm run migrate`: applies that service's pending migrations to its DATABASE_URL. */
import { loadConfigOrExit } from '../config.js';
import { migrateUp } from './migrations.js';

const config = loadConfigOrExit(['DATABASE_URL', 'SERVICE']);
try {
  const applied = await migrateUp(config.DATABASE_URL, config.SERVICE);
  console.log(
    applied.length > 0
      ? `${config.SERVICE}: applied ${applied.join(', ')}`
      : `${config.SERVICE}: no pending migrations`,
  );
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
