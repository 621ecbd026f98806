/**
 * Test helpers: an app per test file with its own Redis key prefix (test files and repeated runs never
 * share cache entries, rate-limit counters or queues), users with real tokens, unique numbers for data.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { ROLES, type Role } from '../../src/auth/roles.js';
import { loadConfig, type Config } from '../../src/config.js';
import { sql } from '../../src/db/sql.js';
import { inject } from 'vitest';
import { requireServers } from './servers.js';

export function testConfig(overrides: Partial<Config> = {}): Config {
  const { redisUrl } = requireServers();
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // The run's own database (test/global-setup.ts), never the one DATABASE_URL names.
    DATABASE_URL: inject('testDatabaseUrl'),
    REDIS_URL: redisUrl,
    JWT_SECRET: process.env.JWT_SECRET || 'test-only-secret-that-is-at-least-32-characters',
    REDIS_KEY_PREFIX: `test-${randomUUID().slice(0, 8)}`,
  });
  return { ...config, ...overrides };
}

export async function createTestApp(overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const app = await buildApp({ config: testConfig(overrides), logger: false });
  await app.ready();
  return app;
}

// Unique across parallel test files and repeated runs against the same database.
let counter = randomInt(1, 1_000_000_000);
export function uniqueN(): number {
  counter += 1;
  return counter;
}

/** A new account with `role`, and an access token obtained through POST /auth/token. */
export async function createUser(
  app: FastifyInstance,
  role: Role,
): Promise<{ id: string; email: string; token: string }> {
  const email = `${role}-${randomUUID()}@example.com`;
  const password = `password-${randomUUID()}`;
  const { rows } = await app.db.query<{ id: string }>(
    sql`INSERT INTO auth_users (email, password_hash, role) VALUES (${email}, ${await hashPassword(password)}, ${role}) RETURNING id`,
  );
  const res = await app.inject({ method: 'POST', url: '/auth/token', payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`token request failed: ${res.statusCode} ${res.body}`);
  return { id: rows[0]!.id, email, token: res.json<{ access_token: string }>().access_token };
}

/** One token per role. */
export async function tokensByRole(app: FastifyInstance): Promise<Record<Role, string>> {
  const entries = await Promise.all(ROLES.map(async (role) => [role, (await createUser(app, role)).token] as const));
  return Object.fromEntries(entries) as Record<Role, string>;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/**
 * Compares an API/request value with a database value: timestamps by instant (the database may print
 * '…T00:00:00Z' for a '…T00:00:00.000Z' input), everything else by deep equality.
 */
export function normalize(value: unknown): unknown {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return new Date(value).getTime();
  return value;
}

export function pickNormalized(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, normalize(row[k])]));
}
