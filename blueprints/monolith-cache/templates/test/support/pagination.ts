import type { FastifyInstance } from 'fastify';

interface Page {
  items: ({ id: string } & Record<string, unknown>)[];
  next_cursor: string | null;
}

/**
 * Follows next_cursor from the first page until every wanted id has been seen (other tests may be
 * adding rows to the same table concurrently, so the pages can hold more than ours).
 */
export async function collectPages(
  app: FastifyInstance,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  wanted: readonly string[],
  maxPages = 500,
): Promise<{ ids: string[]; items: Record<string, unknown>[]; pages: number }> {
  const ids: string[] = [];
  const items: Record<string, unknown>[] = [];
  const missing = new Set(wanted);
  let cursor: string | null = null;
  let pages = 0;
  do {
    const params: URLSearchParams = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
    const res: { statusCode: number; body: string; json<T>(): T } = await app.inject({
      method: 'GET',
      url: `${path}?${params.toString()}`,
      headers,
    });
    if (res.statusCode !== 200) throw new Error(`GET ${path} → ${res.statusCode}: ${res.body}`);
    const page: Page = res.json<Page>();
    for (const item of page.items) {
      ids.push(item.id);
      items.push(item);
      missing.delete(item.id);
    }
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor && missing.size > 0 && pages < maxPages);
  return { ids, items, pages };
}
