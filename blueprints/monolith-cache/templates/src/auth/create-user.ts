/**
 * `npm run user:create -- --email a@b.c --password '…' --role admin`: creates (or re-keys) an account.
 */
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config.js';
import { createPool } from '../db/pool.js';
import { sql } from '../db/sql.js';
import { hashPassword } from './passwords.js';
import { ROLES, isRole } from './roles.js';

const { values } = parseArgs({
  options: { email: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' } },
});
const problems: string[] = [];
if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) problems.push('--email must be an email address');
if (!values.password || values.password.length < 12) problems.push('--password must be at least 12 characters');
if (!isRole(values.role)) problems.push(`--role must be one of: ${ROLES.join(', ')}`);
if (problems.length > 0 || !values.email || !values.password || !isRole(values.role)) {
  for (const p of problems) console.error(p);
  process.exit(1);
}

const config = loadConfigOrExit(['DATABASE_URL', 'DATABASE_POOL_MAX', 'DATABASE_STATEMENT_TIMEOUT_MS']);
const pool = createPool(config);
try {
  const passwordHash = await hashPassword(values.password);
  const { rows } = await pool.query<{ id: string }>(sql`
    INSERT INTO auth_users (email, password_hash, role)
    VALUES (${values.email.toLowerCase()}, ${passwordHash}, ${values.role})
    ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role
    RETURNING id
  `);
  console.log(`user ${values.email} (${values.role}) ready: ${rows[0]?.id}`);
} catch (err) {
  console.error(`could not create the user: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
