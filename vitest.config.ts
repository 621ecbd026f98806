import { defineConfig } from 'vitest/config';

/**
 * Projects, so a part of the suite can run alone (`vitest run --project unit`):
 *   unit       in-memory and in-process tests: no servers, no installs (npm run test:unit)
 *   contract   the blueprint contract: golden output of the monolith, the fixture blueprint from a path
 *   regen      add/update stories (real.test.ts needs servers: run under test/support/with-servers.js)
 *   verify     the checklist (dynamic.test.ts needs servers)
 *   e2e        generated projects installed, built and tested against real servers
 *   other      every other test folder (e.g. test/advise), so a new folder is never left out
 */
const shared = { testTimeout: 30_000, hookTimeout: 600_000 };

export default defineConfig({
  test: {
    // End-to-end suites install and run generated projects; two cores, so two files at a time.
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'contract', include: ['test/golden/**/*.test.ts', 'test/blueprints/**/*.test.ts'] } },
      { test: { ...shared, name: 'regen', include: ['test/regen/**/*.test.ts'] } },
      { test: { ...shared, name: 'verify', include: ['test/verify/**/*.test.ts'] } },
      { test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts', 'test/*.test.ts'] } },
      {
        test: {
          ...shared,
          name: 'other',
          include: ['test/**/*.test.ts'],
          exclude: ['test/{unit,golden,blueprints,regen,verify,e2e}/**', 'test/*.test.ts', '**/node_modules/**'],
        },
      },
    ],
  },
});
