import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Creates the run's own database on DATABASE_URL's server, migrates it, drops it at the end; fails the
    // run (never skips) when DATABASE_URL / REDIS_URL are not set.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
