/**
 * Idempotency-Key on creates, kept in PostgreSQL (idempotency_keys): the first request under a key
 * runs and its response is stored; a retry with the same key and body gets that response again
 * (Idempotent-Replayed: true) and creates nothing; the same key with another body is 422; a retry
 * while the first is still running is 409. Keys are scoped by caller and route and expire after 24 h.
 * A first attempt that fails releases its key, so the client can retry it.
 */
import { Type } from '@sinclair/typebox';
import type pg from 'pg';
import { json as jsonValue, sql } from '../db/sql.js';
import { HttpError } from './problem.js';
import { json } from './validate.js';

export interface Created {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key request header of a create, for its route schema (and the OpenAPI document). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Makes a retried create safe: the first response under this key is replayed for 24 h',
    }),
  ),
});

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function withIdempotency(
  request: Request,
  db: pg.Client,
  scope: string,
  body: unknown,
  create: () => Promise<Created>,
): Promise<Response> {
  const key = request.headers.get('idempotency-key');
  if (key === null) {
    const r = await create();
    return json(r.status, r.body, r.headers);
  }
  if (!KEY.test(key)) throw new HttpError(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters');
  const hash = await sha256(JSON.stringify(body));
  await db.query(
    sql`DELETE FROM idempotency_keys WHERE scope = ${scope} AND key = ${key} AND created_at < now() - interval '24 hours'`,
  );
  const claimed = await db.query(sql`
    INSERT INTO idempotency_keys (scope, key, request_hash) VALUES (${scope}, ${key}, ${hash})
    ON CONFLICT (scope, key) DO NOTHING
  `);
  if (claimed.rowCount === 0) {
    const { rows } = await db.query<{ request_hash: string; status: number | null; response: Created | null }>(
      sql`SELECT request_hash, status, response FROM idempotency_keys WHERE scope = ${scope} AND key = ${key}`,
    );
    const first = rows[0];
    if (!first || first.request_hash !== hash)
      throw new HttpError(422, 'This Idempotency-Key was used with a different request body');
    if (first.status === null || !first.response)
      throw new HttpError(409, 'A request with this Idempotency-Key is still being processed');
    return json(first.status, first.response.body, { ...first.response.headers, 'idempotent-replayed': 'true' });
  }
  try {
    const r = await create();
    await db.query(
      sql`UPDATE idempotency_keys SET status = ${r.status}, response = ${jsonValue(r)}::jsonb WHERE scope = ${scope} AND key = ${key}`,
    );
    return json(r.status, r.body, r.headers);
  } catch (err) {
    await db.query(sql`DELETE FROM idempotency_keys WHERE scope = ${scope} AND key = ${key}`).catch(() => undefined);
    throw err;
  }
}
