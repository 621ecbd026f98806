/**
 * The rate limiter's guarantees (src/http/rate-limit.ts), against real Redis:
 *  - two API processes sharing one Redis admit no more than the limit together (the limit is not per
 *    process), also when the budget is handed out in leases larger than one request;
 *  - with Redis cut off, requests are answered in milliseconds (no command timeout is waited for) and
 *    the limit still applies, counted by the instance; with Redis back, the shared count is used again.
 * Redis is "cut" through a TCP proxy this test owns, so the shared test Redis stays up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/auth/roles.js';
import { bearer, createTestApp, createUser, testConfig } from '../support/app.js';
import { freePort } from '../support/free-port.js';

// A route every project has; the limiter runs before validation, so an empty body (400) still counts.
const LIMITED = {
  method: 'POST',
  url: '/auth/token',
  body: '{}',
  headers: { 'content-type': 'application/json' },
} as const;

/** Starts `src/server.ts` (through tsx) as its own process and waits until it is ready. */
async function startApiProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (
    (await fetch(`${url}/health/ready`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (child.exitCode !== null) throw new Error(`API process exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('API process not ready within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child };
}

/** A TCP proxy to Redis that can be cut (listener closed, connections dropped) and restored. */
async function redisProxy(redisUrl: string) {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const port = await freePort();
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await listen();
  const url = new URL(redisUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    async cut() {
      const closing = new Promise((resolve) => server?.close(resolve));
      for (const s of sockets) s.destroy();
      await closing;
    },
    restore: listen,
  };
}

describe('rate limit across API processes sharing one Redis', () => {
  const limits = { anonymous: 30, user: 400 };
  let apis: { url: string; child: ChildProcess }[] = [];
  let token = '';

  beforeAll(async () => {
    // A token from an in-process app on the same database and secret (its own Redis prefix).
    const app = await createTestApp();
    try {
      token = (await createUser(app, ROLES[0])).token;
    } finally {
      await app.close();
    }
    const config = testConfig(); // the test run's own database, migrated by test/global-setup.ts
    const env = {
      DATABASE_URL: config.DATABASE_URL,
      REDIS_URL: config.REDIS_URL,
      JWT_SECRET: config.JWT_SECRET,
      REDIS_KEY_PREFIX: `test-${randomUUID().slice(0, 8)}`,
      RATE_LIMIT_ANONYMOUS_MAX: String(limits.anonymous),
      RATE_LIMIT_USER_MAX: String(limits.user),
      RATE_LIMIT_WINDOW_MS: '60000',
    };
    apis = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  }, 60_000);

  afterAll(() => {
    for (const { child } of apis) child.kill('SIGTERM');
  });

  it.each([
    { who: 'anonymous', max: limits.anonymous, requests: 70, auth: false }, // leases of 1: counted one by one
    { who: 'user', max: limits.user, requests: 900, auth: true }, // leases of up to 25 requests
  ])('admits at most $max $who requests per window across two processes', async ({ max, requests, auth }) => {
    const headers = { ...LIMITED.headers, ...(auth ? bearer(token) : {}) };
    let admitted = 0;
    let limited = 0;
    // Ten clients at a time, spread over both processes.
    for (let sent = 0; sent < requests; sent += 10) {
      const statuses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          fetch(`${apis[(sent + i) % 2]!.url}${LIMITED.url}`, { ...LIMITED, headers }).then((r) => r.status),
        ),
      );
      for (const status of statuses) {
        if (status === 429) limited += 1;
        else admitted += 1;
      }
    }
    // One process alone would admit `max`; two counting separately would admit 2 × max.
    expect(admitted).toBeLessThanOrEqual(max);
    expect(admitted).toBeGreaterThanOrEqual(max - 2 * Math.floor(max / 16)); // budget leased but not used
    expect(limited).toBe(requests - admitted);
  });
});

describe('rate limit with Redis cut off', () => {
  it('answers in milliseconds and limits locally while Redis is away; shares the limit again when it is back', async () => {
    const proxy = await redisProxy(process.env.REDIS_URL!);
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const max = 5;
    const app = await createTestApp({
      REDIS_URL: proxy.url,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_ANONYMOUS_MAX: max,
      RATE_LIMIT_WINDOW_MS: 60_000,
    });
    const direct = new Redis(process.env.REDIS_URL!);
    const hit = async () => {
      const started = performance.now();
      const res = await app.inject({ ...LIMITED, payload: LIMITED.body });
      return { status: res.statusCode, ms: performance.now() - started };
    };
    try {
      // Redis up: two requests, counted in Redis.
      for (let i = 0; i < 2; i++) expect((await hit()).status).not.toBe(429);
      expect(Number(await direct.get(`${prefix}:rate-limit:ip:127.0.0.1`))).toBe(2);

      // Redis cut: every answer in milliseconds, and the limit applies, counted by this instance.
      await proxy.cut();
      const during = [];
      for (let i = 0; i < max + 2; i++) during.push(await hit());
      expect(during.map((r) => r.status === 429)).toEqual([...Array(max).fill(false), true, true]);
      // The Redis command timeout is 1000 ms: a request that finds the cut first gives up on Redis after
      // the limiter's 200 ms; once the client knows the connection is gone, nothing waits for Redis.
      expect(Math.max(...during.map((r) => r.ms))).toBeLessThan(500);
      expect(Math.max(...during.slice(-3).map((r) => r.ms))).toBeLessThan(100);

      // Redis back: once the client has reconnected and the breaker's cooldown is over, the shared
      // count (2 in Redis) decides again — requests are admitted again (the local window is spent), and
      // no more than the 3 left in Redis. (Paced, because a lease that times out on a busy machine
      // re-opens the breaker for a cooldown, during which the local window answers 429.)
      await proxy.restore();
      const deadline = Date.now() + 15_000;
      while (app.redis.status !== 'ready') {
        if (Date.now() > deadline) throw new Error('the API did not reconnect to Redis');
        await new Promise((r) => setTimeout(r, 50));
      }
      let admitted = 0;
      for (let i = 0; i < 12 && Number(await direct.get(`${prefix}:rate-limit:ip:127.0.0.1`)) < max; i++) {
        await new Promise((r) => setTimeout(r, 700)); // past the limiter's breaker cooldown (2 s) in ≤ 3 tries
        if ((await hit()).status !== 429) admitted += 1;
      }
      expect(admitted).toBeGreaterThanOrEqual(1);
      expect(admitted).toBeLessThanOrEqual(max - 2);
      expect(Number(await direct.get(`${prefix}:rate-limit:ip:127.0.0.1`))).toBeGreaterThanOrEqual(max);
      expect((await hit()).status).toBe(429); // the shared window is spent
    } finally {
      direct.disconnect();
      await app.close();
      await proxy.cut();
    }
  }, 60_000);
});
