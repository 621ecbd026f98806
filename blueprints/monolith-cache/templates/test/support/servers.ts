/** The real servers the integration tests run against. Missing → a failure that says what to set. */
export function requireServers(): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  const missing = [!databaseUrl && 'DATABASE_URL', !redisUrl && 'REDIS_URL'].filter(Boolean);
  if (!databaseUrl || !redisUrl) {
    throw new Error(
      `The test suite needs real PostgreSQL and Redis. Set ${missing.join(' and ')}, e.g.\n` +
        '  DATABASE_URL=postgres://app:app@localhost:5432/app REDIS_URL=redis://localhost:6379 npm test\n' +
        '(docker compose up -d starts both locally). Tests that need servers fail rather than skip.',
    );
  }
  return { databaseUrl, redisUrl };
}
