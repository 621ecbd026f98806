import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // End-to-end suites install and run generated projects; two cores, so two files at a time.
    maxWorkers: 2,
  },
});
