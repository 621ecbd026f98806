/**
 * Every optional part of a spec is optional in the output: a spec without jobs (no `jobs:` key, or
 * `jobs: {}` as `update` leaves it) generates a project that type-checks and lints, with no job routes.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFromSpec, linkDependencies, removeGenerated, typecheckAndLint } from './support.js';

const TEN_MINUTES = 600_000;
const entities = { team: { fields: { name: { type: 'string', max: 120 } } }, member: { fields: { team_id: { type: 'uuid', references: 'team' } } } };

describe.each([
  { label: 'no jobs key', spec: { name: 'no-jobs', entities } },
  { label: 'jobs: {}', spec: { name: 'no-jobs', entities, jobs: {} } },
])('a spec without jobs ($label)', ({ spec }) => {
  let dir: string;
  beforeAll(async () => {
    dir = await generateFromSpec('no-jobs', spec);
    await linkDependencies(dir);
  }, TEN_MINUTES);
  afterAll(async () => {
    if (dir) await removeGenerated(dir);
  });

  it('type-checks and lints', async () => {
    const checked = await typecheckAndLint(dir);
    expect(checked.ok, checked.output).toBe(true);
  }, TEN_MINUTES);

  it('declares no job and no job route', async () => {
    expect(await readFile(path.join(dir, 'src/jobs/definitions.ts'), 'utf8')).toMatch(/export const JOBS = \{\} as const satisfies/);
    expect(await readFile(path.join(dir, 'src/jobs/routes.ts'), 'utf8')).not.toMatch(/app\.post\(/);
  });
});
