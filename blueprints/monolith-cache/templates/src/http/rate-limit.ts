/**
 * The rate limiter's store (for @fastify/rate-limit): a fixed window per key, counted in Redis so the
 * limit holds across API instances, without a Redis round trip per request.
 *
 * Leases: an instance takes a block of the window's budget from Redis in one atomic INCRBY and hands
 * it out locally, one request at a time. The block shrinks as the budget runs out (a sixteenth of what
 * is left, at least 1, at most 64), so a small limit is counted in Redis request by request, while a
 * busy user with a large limit costs one Redis call per 64 requests, taken before the previous block
 * runs out (so requests do not wait for it). Every admitted request holds a number counted in Redis,
 * so all instances together never admit more than `max` per window. The price: budget leased by one
 * instance and not used there is not available to the others, so a client spread over N instances may
 * be limited up to about N × 1.5 leases early (near the end of a budget the leases are 1). Once a key
 * is over its limit, further requests in the window are refused locally: the window's count only grows.
 *
 * Redis away: calls fail fast (no command is sent while the client is not connected; a call that hangs
 * is abandoned after LEASE_TIMEOUT_MS) and a circuit breaker stops trying for a while. Meanwhile each
 * instance applies the same limit to the keys it sees on its own (a local fixed window), so an outage
 * costs no latency and still limits; when Redis answers again, leases resume and the shared limit holds.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { CircuitBreaker, CircuitOpenError } from '../cache/circuit-breaker.js';
import { withTimeout } from '../lib/timeout.js';

const LEASE_MAX = 64;
const LEASE_DIVISOR = 16;
const LEASE_TIMEOUT_MS = 200;
const PREFETCH_MIN_LEASE = 8;
/** Keys (clients) remembered per instance; the oldest are forgotten first. */
const MAX_KEYS = 100_000;

// INCRBY the window's count by the lease; the first lease of a window starts its expiry.
// Returns the count after the lease and the window's remaining time in ms.
const LEASE_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return { count, ttl }`;

interface Window {
  /** Request numbers this instance holds (counted in Redis) and has not handed out yet: [next, last]. */
  ranges: [number, number][];
  /** The window's count in Redis when the last lease was taken. */
  count: number;
  resetAt: number;
  pending: Promise<void> | null;
}

interface LocalWindow {
  count: number;
  resetAt: number;
}

interface StoreResult {
  current: number;
  ttl: number;
}

type Callback = (err: Error | null, result?: StoreResult) => void;

export interface RateLimitStoreOptions {
  redis: Redis;
  /** Prefix of the Redis keys, e.g. `app:rate-limit:`. */
  nameSpace: string;
  log: FastifyBaseLogger;
  now?: () => number;
}

interface RedisWithLease extends Redis {
  rateLimitLease(key: string, lease: number, windowMs: number): Promise<[number, number]>;
}

/** Shared by every route's store: the leases, the local fallback windows and the breaker. */
class LeaseState {
  readonly windows = new Map<string, Window>();
  readonly local = new Map<string, LocalWindow>();
  readonly breaker = new CircuitBreaker({ name: 'redis-rate-limit', failureThreshold: 3, cooldownMs: 2000 });
  readonly redis: RedisWithLease;
  private degraded = false;

  constructor(readonly options: RateLimitStoreOptions) {
    const redis = options.redis as RedisWithLease;
    if (typeof redis.rateLimitLease !== 'function')
      redis.defineCommand('rateLimitLease', { numberOfKeys: 1, lua: LEASE_SCRIPT });
    this.redis = redis;
  }

  now(): number {
    return (this.options.now ?? Date.now)();
  }

  async take(key: string, windowMs: number, max: number): Promise<StoreResult> {
    for (;;) {
      const now = this.now();
      let w = this.windows.get(key);
      if (w && now >= w.resetAt && !w.pending) {
        this.windows.delete(key);
        w = undefined;
      }
      const range = w?.ranges[0];
      if (w && range) {
        const current = range[0]++;
        if (range[0] > range[1]) w.ranges.shift();
        this.prefetch(key, windowMs, max, w);
        return { current, ttl: w.resetAt - now };
      }
      if (w && !w.pending && w.count >= max) return { current: w.count + 1, ttl: w.resetAt - now };
      if (w?.pending) {
        await w.pending.catch(() => undefined); // its failure is handled by the request that started it
        continue;
      }
      try {
        await this.lease(key, windowMs, max, w);
      } catch (err) {
        this.windows.delete(key);
        return this.takeLocally(key, windowMs, err);
      }
    }
  }

  /**
   * Takes the next lease in the background once half of the current one is handed out, so a busy key
   * rarely waits for Redis. Only while leases are large: near the end of a budget every request is
   * counted when it arrives. A failure here only means the next request that finds no number leases
   * (and falls back) itself.
   */
  private prefetch(key: string, windowMs: number, max: number, w: Window): void {
    const size = leaseSize(max, w.count);
    if (w.pending || size < PREFETCH_MIN_LEASE) return;
    const held = w.ranges.reduce((n, [next, last]) => n + last - next + 1, 0);
    if (held <= size / 2) this.lease(key, windowMs, max, w).catch(() => undefined);
  }

  private lease(key: string, windowMs: number, max: number, previous: Window | undefined): Promise<void> {
    const size = leaseSize(max, previous?.count ?? 0);
    const w: Window = previous ?? { ranges: [], count: 0, resetAt: Infinity, pending: null };
    const pending = this.breaker
      .run(() => {
        // Fail fast while the client is not connected instead of queueing until its command timeout.
        if (this.redis.status !== 'ready') return Promise.reject(new Error(`redis is ${this.redis.status}`));
        return withTimeout(
          this.redis.rateLimitLease(this.options.nameSpace + key, size, windowMs),
          LEASE_TIMEOUT_MS,
          'rate-limit lease',
        );
      })
      .then(([count, ttl]) => {
        // This lease holds the numbers count - size + 1 … count; those above max are not admitted. A
        // count below the last one means Redis started a new window: what was held belongs to the old.
        if (count < w.count) w.ranges = [];
        if (count - size + 1 <= max) w.ranges.push([count - size + 1, Math.min(count, max)]);
        w.count = count;
        w.resetAt = this.now() + ttl;
        if (this.degraded) {
          this.degraded = false;
          this.options.log.info('rate limiter: Redis is back, limits are shared across instances again');
        }
      })
      .finally(() => {
        w.pending = null;
      });
    w.pending = pending;
    this.remember(this.windows, key, w);
    return pending;
  }

  /** The fallback while Redis is away: the same limit, counted by this instance alone. */
  private takeLocally(key: string, windowMs: number, err: unknown): StoreResult {
    if (!this.degraded) {
      this.degraded = true;
      this.options.log.warn(
        { err: err instanceof CircuitOpenError ? undefined : err },
        'rate limiter: Redis unavailable, limiting per instance until it is back',
      );
    }
    const now = this.now();
    let w = this.local.get(key);
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + windowMs };
      this.remember(this.local, key, w);
    }
    w.count += 1;
    return { current: w.count, ttl: w.resetAt - now };
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_KEYS) map.delete(map.keys().next().value as string);
  }
}

/** A sixteenth of what is left of the window's budget, at least 1, at most LEASE_MAX. */
function leaseSize(max: number, count: number): number {
  return Math.min(LEASE_MAX, Math.max(1, Math.floor((max - count) / LEASE_DIVISOR)));
}

/** A store class for @fastify/rate-limit's `store` option. */
export function leasedRedisStore(options: RateLimitStoreOptions) {
  const state = new LeaseState(options);
  return class LeasedRedisStore {
    constructor(
      _globalParams?: unknown,
      private readonly prefix = '',
    ) {}

    // @fastify/rate-limit (since v9) passes the route's window and max; its typings do not say so.
    incr(key: string, callback: Callback, timeWindow?: number, max?: number): void {
      if (timeWindow === undefined || max === undefined) {
        callback(new Error('the rate-limit store needs the window and max from @fastify/rate-limit ≥ 9'));
        return;
      }
      state.take(this.prefix + key, timeWindow, max).then(
        (result) => callback(null, result),
        (err: Error) => callback(err),
      );
    }

    // Per-route limits (`config.rateLimit` with options) count under their own keys. @fastify/rate-limit
    // passes the route as `routeInfo`; its typings do not say so.
    child(routeOptions: object) {
      const route = (routeOptions as { routeInfo?: { method: string; url: string } }).routeInfo;
      return new LeasedRedisStore(undefined, route ? `${this.prefix}${route.method}${route.url}-` : this.prefix);
    }
  };
}
