import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Creates the run's own database on DATABASE_URL's server, migrates it, starts the Worker under
    // `wrangler dev` on a free loopback port against it, and removes both at the end; fails the run
    // (never skips) when DATABASE_URL is not set.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // One Worker for the whole run: files run one after another so rate limits and queues are predictable.
    fileParallelism: false,
  },
});
