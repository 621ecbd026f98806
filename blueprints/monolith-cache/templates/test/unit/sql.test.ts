import { describe, expect, it } from 'vitest';
import { json, sql } from '../../src/db/sql.js';

describe('sql tag', () => {
  it('turns interpolations into numbered parameters', () => {
    const q = sql`SELECT * FROM t WHERE a = ${1} AND b = ${'x'}`;
    expect(q.text).toBe('SELECT * FROM t WHERE a = $1 AND b = $2');
    expect(q.values).toEqual([1, 'x']);
  });

  it('never puts values into the text, even hostile ones', () => {
    const q = sql`SELECT * FROM t WHERE name = ${"'; DROP TABLE t; --"}`;
    expect(q.text).toBe('SELECT * FROM t WHERE name = $1');
    expect(q.values).toEqual(["'; DROP TABLE t; --"]);
  });

  it('nests fragments and renumbers their parameters', () => {
    const where = sql`a = ${1} AND b = ${2}`;
    const q = sql`SELECT 1 WHERE ${where} AND c = ${3}`;
    expect(q.text).toBe('SELECT 1 WHERE a = $1 AND b = $2 AND c = $3');
    expect(q.values).toEqual([1, 2, 3]);
  });

  it('joins fragments with a separator', () => {
    const q = sql`WHERE ${sql.join([sql`a = ${1}`, sql`b = ${2}`, sql.raw('c IS NULL')], sql.raw(' AND '))}`;
    expect(q.text).toBe('WHERE a = $1 AND b = $2 AND c IS NULL');
    expect(q.values).toEqual([1, 2]);
    expect(sql.join([]).text).toBe('');
    expect(sql.join([sql`${1}`, sql`${2}`]).text).toBe('$1, $2');
  });

  it('raw inserts constant text without parameters', () => {
    const q = sql`SELECT ${sql.raw('id, name')} FROM t LIMIT ${10}`;
    expect(q.text).toBe('SELECT id, name FROM t LIMIT $1');
    expect(q.values).toEqual([10]);
  });

  it('json() serializes values for ::jsonb parameters, keeping NULL as NULL', () => {
    expect(json([1, 2])).toBe('[1,2]');
    expect(json({ a: 'b' })).toBe('{"a":"b"}');
    expect(json(null)).toBeNull();
  });
});
