/**
 * Cache-aside over Redis. Reads try Redis, fall back to the loader (PostgreSQL) and fill Redis with a
 * TTL; writes delete the key after their transaction commits. Every Redis error is logged and
 * swallowed — with Redis down, reads go straight to PostgreSQL. No command is sent while the client
 * is not connected (it would wait in ioredis' offline queue for the command timeout), and a circuit
 * breaker stops paying a timeout per request while Redis is unreachable but the socket looks open.
 */
import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { Counter } from 'prom-client';
import { CircuitBreaker, CircuitOpenError } from './circuit-breaker.js';

export interface CacheCounters {
  hits: Counter<'entity'>;
  misses: Counter<'entity'>;
}

interface PendingGet {
  resolve: (value: string | null) => void;
  reject: (err: unknown) => void;
}

export class Cache {
  readonly breaker = new CircuitBreaker({ name: 'redis-cache', failureThreshold: 5, cooldownMs: 5000 });
  /** The GETs of this event-loop turn not sent yet, by key (see get()). */
  private pendingGets: Map<string, PendingGet[]> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: FastifyBaseLogger,
    private readonly counters: CacheCounters,
  ) {}

  key(entity: string, id: string): string {
    return `${this.prefix}:cache:${entity}:${id}`;
  }

  /** The cached value, or loader()'s (stored for ttlSeconds unless it is null). */
  async getOrLoad<T>(
    entity: string,
    id: string,
    ttlSeconds: number,
    loader: () => Promise<T | null>,
  ): Promise<T | null> {
    const key = this.key(entity, id);
    const cached = await this.attempt(() => this.get(key), 'get');
    if (cached) {
      this.counters.hits.inc({ entity });
      return JSON.parse(cached) as T;
    }
    this.counters.misses.inc({ entity });
    const value = await loader();
    if (value !== null) await this.attempt(() => this.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds), 'set');
    return value;
  }

  async invalidate(entity: string, id: string): Promise<void> {
    await this.attempt(() => this.redis.del(this.key(entity, id)), 'del');
  }

  /**
   * GET, batched: the keys asked for in one event-loop turn go to Redis as one MGET (a hot key once),
   * sent once the turn's I/O callbacks have run (setImmediate), so a lone request waits for nothing but
   * the end of its turn. Under load, a command and a socket write per cached read were about a quarter
   * of the API's CPU. (ioredis' enableAutoPipelining does the same for every command, but it can throw
   * an uncaught TypeError when a connection fails: ioredis issue #1931.) An MGET that fails fails every
   * read of its batch, each handled by attempt() as its own failure.
   */
  private get(key: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      let batch = this.pendingGets;
      if (!batch) {
        batch = this.pendingGets = new Map();
        setImmediate(() => this.flushGets());
      }
      const waiters = batch.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else batch.set(key, [{ resolve, reject }]);
    });
  }

  private flushGets(): void {
    const batch = this.pendingGets;
    this.pendingGets = null;
    if (!batch) return;
    const keys = [...batch.keys()];
    this.redis.mget(keys).then(
      (values) => keys.forEach((key, i) => batch.get(key)!.forEach((w) => w.resolve(values[i] ?? null))),
      (err: unknown) => batch.forEach((waiters) => waiters.forEach((w) => w.reject(err))),
    );
  }

  private async attempt<T>(fn: () => Promise<T>, op: string): Promise<T | null> {
    try {
      return await this.breaker.run(() =>
        this.redis.status === 'ready' ? fn() : Promise.reject(new Error(`redis is ${this.redis.status}`)),
      );
    } catch (err) {
      if (!(err instanceof CircuitOpenError)) this.log.warn({ err, op }, 'cache unavailable, using the database');
      return null;
    }
  }
}
