// @ts-check
import { randomBytes } from 'node:crypto';
/** @typedef {import('../../generators/blueprints/contract.js').Runtime} Runtime */

/**
 * The page shape the built-in blueprints' list routes answer, `{ items, next_cursor }`, read for verify's
 * dynamic checks (the runtime adapter's readPage).
 * @param {unknown} body
 * @returns {{ items: unknown[] | undefined, next: unknown, hasCursorField: boolean }}
 */
export function readItemsPage(body) {
  const page = /** @type {{ items?: unknown[]; next_cursor?: unknown } | null | undefined} */ (body);
  return { items: Array.isArray(page?.items) ? page.items : undefined, next: page?.next_cursor, hasCursorField: page !== null && typeof page === 'object' && 'next_cursor' in page };
}

/**
 * One bearer token per role, minted the way the built-in blueprints issue them: an account per role in
 * auth_users (the password hashed the way the project hashes it), then POST /auth/token.
 * @param {Runtime} rt
 * @param {string} apiUrl
 * @param {string} databaseUrl
 * @param {{ hash(password: string): Promise<string>, tenant?: { column: string, id: string } | null, post?: (send: () => Promise<Response>) => Promise<Response> }} how
 *   `tenant`: the tenant every account belongs to (multi-tenant projects); `post`: wraps the login request
 *   (e.g. to send it again when a local runtime drops it).
 * @returns {Promise<Record<string, string>>}
 */
export async function mintTokens(rt, apiUrl, databaseUrl, { hash, tenant = null, post = (send) => send() }) {
  const db = await rt.pgClient(databaseUrl);
  /** @type {Record<string, string>} */
  const out = {};
  try {
    for (const role of rt.project.plan.roles) {
      const email = `verify-${role}-${rt.runId}@example.com`;
      const password = randomBytes(12).toString('hex');
      if (tenant)
        await db.query(`INSERT INTO auth_users (email, password_hash, role, "${tenant.column}") VALUES ($1, $2, $3, $4)`, [email, await hash(password), role, tenant.id]);
      else await db.query('INSERT INTO auth_users (email, password_hash, role) VALUES ($1, $2, $3)', [email, await hash(password), role]);
      const r = await post(() => fetch(`${apiUrl}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }));
      const body = /** @type {{ access_token?: string }} */ (await r.json().catch(() => ({})));
      if (!r.ok || !body.access_token) throw new Error(`POST /auth/token for a ${role} answered ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
      out[role] = body.access_token;
    }
  } finally {
    await db.end();
  }
  return out;
}
