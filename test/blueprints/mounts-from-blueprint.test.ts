/**
 * `mounts` entries with `blueprint` (and `plan`): a blueprint renders another blueprint's templates at
 * another path, seeing a part of its plan as the plan — how the hybrid renders the serverless
 * blueprint's queue consumer, Hyperdrive client and wrangler configuration under functions/ without
 * copying them. Also: the spec's `runtime` per job, and the errors for a wrong mount or runtime.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const noPost = ['--no-install', '--no-verify', '--no-git'];
const SERVERLESS = path.resolve('blueprints/serverless/templates');

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-mounts-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe('the hybrid renders the serverless blueprint under functions/', () => {
  let dir: string;
  beforeAll(async () => {
    const run = await runCli(['mixed', '--blueprint', 'hybrid', '--yes', ...noPost], { cwd });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    dir = path.join(cwd, 'mixed');
  });
  const read = (file: string) => readFile(path.join(dir, file), 'utf8');

  it("a verbatim template comes out byte for byte the serverless blueprint's", async () => {
    for (const [from, to] of [
      ['src/jobs/consumer.ts', 'functions/src/jobs/consumer.ts'],
      ['scripts/dev.mjs', 'functions/scripts/dev.mjs'],
    ])
      expect(await read(to), to).toBe(await readFile(path.join(SERVERLESS, from), 'utf8'));
  });

  it('an EJS template sees the plan part as its plan: the functions get the Hyperdrive client and the offloaded jobs, the container keeps its pool', async () => {
    expect(await read('functions/src/db/pool.ts')).toContain('export async function connect(');
    expect(await read('src/db/pool.ts')).toContain('export function createPool(');
    // [job] expands over the plan part's jobs (the offloaded ones), not the container's (none here).
    expect(await readdir(path.join(dir, 'functions/src/jobs'))).toContain('export-project.ts');
    expect(await readdir(path.join(dir, 'src/jobs'))).not.toContain('export-project.ts');
    const wrangler = await read('functions/wrangler.jsonc');
    expect(wrangler).toContain('"name": "mixed-functions"');
    expect(wrangler).toContain('"dead_letter_queue": "mixed-export-project-dlq"');
    expect(wrangler).not.toContain('ratelimits');
    expect(JSON.parse(await read('functions/scripts/worker-vars.json'))).toContain('OFFLOAD_SIGNING_SECRET');
  });
});

async function childBlueprint(name: string, mounts: unknown[]): Promise<string> {
  const bp = path.join(cwd, name);
  await mkdir(bp, { recursive: true });
  await writeFile(path.join(bp, 'blueprint.json'), JSON.stringify({ id: name, title: name, extends: 'monolith-cache', mounts }));
  return bp;
}

describe('mount errors name the blueprint and what is wrong', () => {
  it('a mount from a blueprint that does not exist', async () => {
    const bp = await childBlueprint('bad-ref', [{ blueprint: 'no-such-blueprint', from: 'src/', to: 'x/' }]);
    const run = await runCli(['a1', '--blueprint', bp, '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path.join(bp, 'blueprint.json')} field "mounts": unknown blueprint "no-such-blueprint"`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
  it('a mount whose path names no template of that blueprint', async () => {
    const bp = await childBlueprint('bad-from', [{ blueprint: 'serverless', from: 'src/nowhere/', to: 'x/' }]);
    const run = await runCli(['a2', '--blueprint', bp, '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr).toContain('mounts: blueprint "serverless" has no template at "src/nowhere/"');
  });
  it('a mount with a plan part the planner does not return', async () => {
    const bp = await childBlueprint('bad-part', [{ blueprint: 'serverless', plan: 'functions', from: 'src/jobs/consumer.ts', to: 'x/consumer.ts' }]);
    const run = await runCli(['a3', '--blueprint', bp, '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(await readdir(cwd)).not.toContain('a3');
    expect(run.stderr).toContain('is mounted with plan part "functions", which the plan does not have');
  });
  it('an invalid plan key in blueprint.json', async () => {
    const bp = await childBlueprint('bad-key', [{ blueprint: 'serverless', plan: 'not a key', from: 'src/', to: 'x/' }]);
    const run = await runCli(['a4', '--blueprint', bp, '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Invalid blueprint manifest ${path.join(bp, 'blueprint.json')}: mounts.0.plan: expected a plan key`);
  });
});

describe("a job's runtime in the spec", () => {
  it('a bad value is refused with the file, line and column, and nothing is written', async () => {
    await writeFile(path.join(cwd, 'bad-runtime.yaml'), 'name: shop\nentities:\n  order:\n    fields:\n      total: { type: integer }\njobs:\n  settle: { entity: order, runtime: lambda }\n');
    const run = await runCli(['r1', '--blueprint', 'hybrid', '--spec', 'bad-runtime.yaml', '--yes', ...noPost], { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad-runtime.yaml:7:28 jobs.settle.runtime: Invalid option: expected one of "container"|"serverless"');
    expect(await readdir(cwd)).not.toContain('r1');
  });
});
