/**
 * Generated projects run on Node 20, 22 and 24: package.json "engines" admits all three, the CI
 * workflow tests each of them, and every script loads `.env` through an API that exists on all three.
 * (That every pinned dependency accepts them is checked on a real install in
 * test/e2e/first-ten-minutes.test.ts.)
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateProject } from '../../generators/pipeline/generate.js';
import { loadSpecFile } from '../../generators/domain/load.js';
import { EXAMPLE_SPEC_PATH } from '../../generators/core/version.js';
import { admits } from '../support/node-range.js';

describe('Node 20, 22 and 24', async () => {
  const spec = await loadSpecFile(EXAMPLE_SPEC_PATH);
  const { tree } = await generateProject({
    targetDir: '/nonexistent/cba-node-versions',
    spec,
    answers: { name: 'nodes', blueprint: 'monolith-cache', packageManager: 'pnpm', features: ['ci'] },
  });

  it('engines admits the oldest supported release of each line', () => {
    const engines = (JSON.parse(tree.read('package.json')!) as { engines: { node: string } }).engines.node;
    for (const node of ['20.19.0', '22.0.0', '24.0.0']) expect(admits(engines, node), `${engines} vs ${node}`).toBe(true);
  });

  it('the CI workflow runs the test job on each line through a matrix', () => {
    const workflow = parse(tree.read('.github/workflows/ci.yml')!) as {
      jobs: { test: { strategy?: { matrix?: { node?: unknown[] } }; steps: { uses?: string; with?: Record<string, unknown> }[] } };
    };
    expect(workflow.jobs.test.strategy?.matrix?.node).toEqual([20, 22, 24]);
    const setup = workflow.jobs.test.steps.find((s) => s.uses?.startsWith('actions/setup-node'));
    expect(setup?.with?.['node-version']).toBe('${{ matrix.node }}');
    expect(setup?.with?.cache).toBe('pnpm');
  });

  it('.env is loaded by every entry point with process.loadEnvFile (Node ≥ 20.12), not by a flag some versions lack', () => {
    const config = tree.read('src/config.ts')!;
    expect(config).toMatch(/process\.loadEnvFile\(file\)/);
    expect(config).toMatch(/export function loadConfigOrExit[\s\S]*?loadDotEnv\(\);/);
    const scripts = (JSON.parse(tree.read('package.json')!) as { scripts: Record<string, string> }).scripts;
    for (const script of Object.values(scripts)) expect(script).not.toContain('--env-file');
    for (const entry of ['src/server.ts', 'src/worker.ts', 'src/db/migrate.ts', 'src/auth/create-user.ts']) expect(tree.read(entry)).toContain('loadConfigOrExit(');
  });
});
