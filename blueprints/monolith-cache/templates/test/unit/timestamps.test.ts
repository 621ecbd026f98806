import { describe, expect, it } from 'vitest';
import { timestamptzToIso } from '../../src/db/pool.js';

describe('timestamptz parser', () => {
  it('keeps microseconds and writes RFC 3339', () => {
    expect(timestamptzToIso('2025-01-02 03:04:05.123456+00')).toBe('2025-01-02T03:04:05.123456Z');
    expect(timestamptzToIso('2025-01-02 03:04:05+00')).toBe('2025-01-02T03:04:05Z');
    expect(timestamptzToIso('2025-01-02 03:04:05+05:30')).toBe('2025-01-02T03:04:05+05:30');
    expect(timestamptzToIso('2025-01-02 03:04:05-02')).toBe('2025-01-02T03:04:05-02:00');
  });

  it('leaves special values alone', () => {
    expect(timestamptzToIso('infinity')).toBe('infinity');
  });
});
