/**
 * What the tests share: the Worker's URL and the run's database (from test/global-setup.ts), a
 * database client for factories and checks, users and tokens per role, HTTP helpers.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import { ROLES, type Role } from '../../src/auth/roles.js';
import { sql } from '../../src/db/sql.js';
import '../../src/db/pool.js'; // the type parsers: rows read here compare equal to the API's JSON

export const API = inject('apiUrl');

let counter = Date.now() % 1_000_000_000;
/** A number no other call in this run returns (unique values in test data). */
export function uniqueN(): number {
  return ++counter;
}

let client: Promise<pg.Client> | undefined;
/** One client per test file, on the run's database; closed after the file. */
export function database(): Promise<pg.Client> {
  client ??= (async () => {
    const c = new pg.Client({ connectionString: inject('testDatabaseUrl'), options: '-c TimeZone=UTC' });
    await c.connect();
    afterAll(() => c.end());
    return c;
  })();
  return client;
}

export interface HttpExchange<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export async function call<T = unknown>(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpExchange<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const send = () => fetch(`${API}${path}`, { method, headers, body: payload });
  // wrangler dev closes an idle keep-alive connection after 5 s; a request that raced that close fails with
  // "other side closed" before reaching the Worker. A GET or HEAD is safe to send again (the Worker never saw it).
  const res = await send().catch((err: unknown) => {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if ((method === 'GET' || method === 'HEAD') && code === 'UND_ERR_SOCKET') return send();
    throw err;
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

/** A new user with this role, and a token from POST /auth/token. */
export async function createUser(role: Role): Promise<{ id: string; token: string }> {
  const db = await database();
  const email = `test-${role}-${randomBytes(6).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('hex');
  const { rows } = await db.query<{ id: string }>(
    sql`INSERT INTO auth_users (email, password_hash, role) VALUES (${email}, ${await hashPassword(password)}, ${role}) RETURNING id`,
  );
  let res = await call<{ access_token: string }>('POST', '/auth/token', { body: { email, password } });
  // wrangler's local proxy (not the Worker) occasionally drops a slow POST — a login hashes with scrypt —
  // and answers 503 "Your worker restarted mid-request"; a login is idempotent, so it is sent once more.
  if (res.status === 503 && String(res.body).includes('restarted mid-request'))
    res = await call<{ access_token: string }>('POST', '/auth/token', { body: { email, password } });
  if (res.status !== 200) throw new Error(`POST /auth/token → ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: rows[0]!.id, token: res.body.access_token };
}

/** One user and token per role (one after another: each login is a deliberately expensive scrypt). */
export async function tokensByRole(): Promise<Record<Role, string>> {
  const tokens: Partial<Record<Role, string>> = {};
  for (const role of ROLES) tokens[role] = (await createUser(role)).token;
  return tokens as Record<Role, string>;
}

/** Polls until check() returns a value (not undefined), or fails after timeoutMs with the last state. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Compares a request value with a database value: timestamps by instant (the database prints
 * '…T00:00:00Z' for a '…T00:00:00.000Z' input), everything else by deep equality.
 */
export function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return new Date(value).getTime();
  return value;
}
