/**
 * Cache-aside reads by id with the Workers Cache API: a hit answers without a database round trip; a
 * miss reads PostgreSQL and stores the row for the entity's TTL (written after the response, with
 * waitUntil). Every write deletes the row's entry. The Cache API is per Cloudflare location: the
 * delete is immediate where the write ran, and other locations serve their copy until its TTL ends —
 * which is why the TTLs are short. (KV would be global but is eventually consistent for up to 60 s and
 * slower to invalidate; Hyperdrive's query cache cannot be invalidated by key.) Hits and misses are
 * counted in Analytics Engine.
 */
import type { WorkerEnv } from './env.js';
import { recordCache } from './observability/metrics.js';

/** A synthetic URL per row: the Cache API keys on requests; this host is never fetched. */
const keyOf = (entity: string, id: string) => new Request(`https://cache.internal/${entity}/${encodeURIComponent(id)}`);

export async function cachedRead<T>(
  env: WorkerEnv,
  execution: ExecutionContext,
  entity: string,
  id: string,
  ttlSeconds: number,
  load: () => Promise<T | null>,
): Promise<T | null> {
  const cache = caches.default;
  const hit = await cache.match(keyOf(entity, id));
  if (hit) {
    recordCache(env, entity, 'hit');
    return (await hit.json()) as T;
  }
  recordCache(env, entity, 'miss');
  const value = await load();
  if (value !== null && ttlSeconds > 0) {
    const stored = new Response(JSON.stringify(value), {
      headers: { 'content-type': 'application/json', 'cache-control': `max-age=${ttlSeconds}` },
    });
    execution.waitUntil(cache.put(keyOf(entity, id), stored));
  }
  return value;
}

/** After a write: the next read of this row goes to PostgreSQL. */
export async function invalidate(entity: string, id: string): Promise<void> {
  await caches.default.delete(keyOf(entity, id));
}
