// @ts-check

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
