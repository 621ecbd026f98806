import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../src/http/cursor.js';

describe('pagination cursor', () => {
  const cursor = {
    sort: 'created_at:desc',
    value: '2025-01-02T03:04:05.123456Z',
    id: '0b6a1f0e-8d9c-4f5e-9a1b-2c3d4e5f6a7b',
  };

  it('round-trips', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('round-trips a null sort value (a nullable sort column, among the NULL rows)', () => {
    expect(decodeCursor(encodeCursor({ ...cursor, value: null }))).toEqual({ ...cursor, value: null });
  });

  it('is opaque and URL-safe', () => {
    const text = encodeCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(text).not.toContain('created_at');
  });

  it('rejects anything it did not produce', () => {
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('["s","v","not-a-uuid"]').toString('base64url'))).toBeNull();
    expect(
      decodeCursor(Buffer.from('["s",1,"0b6a1f0e-8d9c-4f5e-9a1b-2c3d4e5f6a7b"]').toString('base64url')),
    ).toBeNull();
  });
});
