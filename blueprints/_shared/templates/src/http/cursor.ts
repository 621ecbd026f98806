/**
 * Opaque pagination cursors: base64url of the last row's sort value and id, plus the sort they
 * belong to (a cursor from one sort order is rejected by another). The value is null when the last
 * row's sort column is NULL (nullable sort columns order NULLs last).
 */
export interface Cursor {
  sort: string;
  value: string | null;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.id]), 'utf8').toString('base64url');
}

/** Returns null for anything that is not a cursor this API produced. */
export function decodeCursor(text: string): Cursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 3 &&
      typeof parsed[0] === 'string' &&
      (typeof parsed[1] === 'string' || parsed[1] === null) &&
      typeof parsed[2] === 'string' &&
      // A NUL cannot be stored in PostgreSQL text: a cursor carrying one is not ours.
      parsed.every((part) => part === null || !(part as string).includes('\u0000')) &&
      /^[0-9a-f-]{36}$/i.test(parsed[2])
    ) {
      const [sort, value, id] = parsed as [string, string | null, string];
      return { sort, value, id };
    }
    return null;
  } catch {
    return null;
  }
}
