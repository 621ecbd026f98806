/** `npm run migrate`: applies pending migrations from migrations/ (needs only DATABASE_URL). */
import { loadConfigOrExit } from '../config.js';
import { migrateUp } from './migrations.js';

const config = loadConfigOrExit(['DATABASE_URL']);
try {
  const applied = await migrateUp(config.DATABASE_URL);
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'no pending migrations');
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
