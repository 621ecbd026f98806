import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const valid = {
  DATABASE_URL: 'postgres://app:app@localhost:5432/app',
  REDIS_URL: 'redis://localhost:6379',
  JWT_SECRET: 'x'.repeat(32),
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config', () => {
  it('applies defaults and converts types', () => {
    const config = loadConfig({ ...valid, CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(config.PORT).toBe(3000);
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.NODE_ENV).toBe('development');
  });

  it('names each missing required variable on its own line', () => {
    const lines = problems({});
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DATABASE_URL is required/),
        expect.stringMatching(/^REDIS_URL is required/),
        expect.stringMatching(/^JWT_SECRET is required/),
      ]),
    );
  });

  it('explains bad values without echoing secrets', () => {
    const lines = problems({ ...valid, PORT: 'abc', JWT_SECRET: 'short-secret' });
    expect(lines).toContain('PORT must be an integer (got "abc")');
    const secretLine = lines.find((l) => l.startsWith('JWT_SECRET'));
    expect(secretLine).toBeDefined();
    expect(secretLine).not.toContain('short-secret');
  });

  it('refuses a wildcard CORS origin', () => {
    expect(problems({ ...valid, CORS_ORIGINS: '*' })).toEqual([expect.stringMatching(/^CORS_ORIGINS/)]);
  });

  it('validates only the variables asked for', () => {
    expect(loadConfig({ DATABASE_URL: valid.DATABASE_URL }, ['DATABASE_URL'])).toEqual({
      DATABASE_URL: valid.DATABASE_URL,
    });
  });
});
