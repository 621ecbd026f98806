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

export class Cache {
  readonly breaker = new CircuitBreaker({ name: 'redis-cache', failureThreshold: 5, cooldownMs: 5000 });

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
    const cached = await this.attempt(() => this.redis.get(key), 'get');
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
