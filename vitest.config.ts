import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take minutes (each generates, installs and runs projects), longest first. Two files run at a
 * time, and on a fresh clone vitest has no durations cached, so it would order by file size and could start
 * the longest file last: phase 1 of CI took 1,205 s that way, with hybrid-dynamic (516 s) running alone at the
 * end. Started first, the short files fill the other worker meanwhile. Order only: nothing is skipped.
 */
const SLOWEST_FIRST = [
  'test/verify/hybrid-dynamic.test.ts',
  'test/verify/dynamic.test.ts',
  'test/verify/serverless-dynamic.test.ts',
  'test/regen/real.test.ts',
  'test/e2e/microservices.test.ts',
  'test/e2e/serverless.test.ts',
  'test/e2e/hybrid.test.ts',
  'test/e2e/generate-and-test.test.ts',
  'test/reliability/hostile-text.test.ts',
  'test/e2e/pack-workshop.test.ts',
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOWEST_FIRST.findIndex((known) => f.moduleId.replaceAll('\\', '/').endsWith(known));
      return i === -1 ? SLOWEST_FIRST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b)); // stable: vitest's own order among the rest
  }
}

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
    sequence: { sequencer: SlowestFirst },
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
