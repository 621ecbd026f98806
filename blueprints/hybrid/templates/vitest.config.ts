import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Creates the run's own database on DATABASE_URL's server, migrates it, drops it at the end; fails the
    // run (never skips) when DATABASE_URL / REDIS_URL are not set.
    globalSetup: ['test/global-setup.ts'],
    // The relay and the functions share this run's signing secret (the API's config requires one).
    env: { OFFLOAD_SIGNING_SECRET: process.env.OFFLOAD_SIGNING_SECRET || randomBytes(32).toString('hex') },
    testTimeout: 30_000,
    hookTimeout: 90_000,
    pool: 'forks',
  },
});
