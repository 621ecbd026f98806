/**
 * "Accepted ⇒ compiles and migrates", as a property (fast-check): random valid specs — every field type
 * and option, references, access patterns, jobs, soft delete, SQL and JavaScript reserved words as names,
 * hostile descriptions — that the validator accepts must generate a project that type-checks and whose
 * migrations apply (twice: the second run a no-op) to a real PostgreSQL.
 *
 * Bounded: PROPERTY_RUNS specs per run (default 3; each costs a tsc run), a new seed every run outside CI (printed
 * on failure, with the shrunk spec, to replay with PROPERTY_SEED).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../generators/core/errors.js';
import { validateSpecValue } from '../../generators/domain/load.js';
import { requireServers } from '../support/servers.js';
import { validSpec } from '../support/spec-arbitrary.js';
import { generateFromSpec, linkDependencies, migrateFresh, removeGenerated, typecheck } from './support.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 3);
// CI replays one fixed seed, so a run of the same commit gives the same result (a bug the random search
// finds elsewhere is replayed here with PROPERTY_SEED and then fixed); a developer's run draws a new one.
const SEED = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : process.env.CI ? 20261126 : undefined;

function accepted(spec: unknown): boolean {
  try {
    validateSpecValue(spec, 'spec');
    return true;
  } catch (err) {
    if (err instanceof InvalidInputError) return false;
    throw err;
  }
}

describe('every accepted spec generates a project that type-checks and migrates', () => {
  it(`${RUNS} random valid spec(s)`, async () => {
    requireServers();
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(validSpec, async (spec) => {
        fc.pre(accepted(spec));
        const dir = await generateFromSpec('prop-api', spec);
        try {
          await linkDependencies(dir);
          const tsc = await typecheck(dir);
          expect(tsc.ok, `tsc:\n${tsc.output}`).toBe(true);
          const migrate = await migrateFresh(dir, 'prop');
          expect(migrate.ok, `migrate:\n${migrate.output}`).toBe(true);
          checked++;
        } finally {
          await removeGenerated(dir);
        }
      }),
      { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: true, maxSkipsPerRun: 100 },
    );
    expect(checked).toBe(RUNS);
  }, 600_000 + RUNS * 120_000);
});
