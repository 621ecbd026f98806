/**
 * verify's dynamic part drives a blueprint that is not a monolith through its runtime adapter: the
 * fixture's own dynamic check builds, migrates (every stream, on a real PostgreSQL) and starts both of
 * its processes, and fails when the gateway is broken. Needs servers: run under test/support/with-servers.js.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { runVerify } from '../../generators/verify/run.js';

const SPEC = path.resolve('test/fixtures/blueprints/gateway-services/example.yaml');
let cwd: string;
let dir: string;

beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-fixture-rt-'));
  const run = await runCli(['blog', '--spec', SPEC, '--yes', '--no-install', '--no-verify', '--no-git'], { cwd });
  expect(run.code).toBe(0);
  dir = path.join(cwd, 'blog');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'pipe' });
}, 300_000);
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe('the fixture blueprint under verify, dynamic part', () => {
  it('its dynamic check passes through its runtime adapter (two processes, every migration stream applied)', { timeout: 120_000 }, async () => {
    const report = await runVerify({ dir, only: ['gateway-services.'] });
    expect(report.results.map((r) => [r.id, r.status, r.summary])).toEqual([
      ['gateway-services.stream-per-service', 'pass', '2 service(s), one migration stream each'],
      ['gateway-services.gateway-routes', 'pass', '2 service(s) answer through the gateway'],
    ]);
  });

  it('fails when the gateway does not route a service', { timeout: 120_000 }, async () => {
    const file = path.join(dir, 'gateway.js');
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace("const services = ['author',", "const services = ["));
    try {
      const report = await runVerify({ dir, only: ['gateway-services.gateway-routes'] });
      expect(report.results[0]).toMatchObject({ status: 'fail', evidence: [{ text: 'GET /author → 404, items undefined' }] });
    } finally {
      await writeFile(file, original);
    }
  });
});
