/**
 * Byte-identical output: the monolith-cache blueprint generates exactly what the recorded golden says,
 * file by file (sha256 of every file, .backend-arch/ included), for the built-in example and two specs.
 *
 * The golden files (test/fixtures/golden/<case>.json) were first recorded with the generator from before
 * the blueprint contract (issue 8), so this test is the proof that moving the monolith into the contract
 * changed no byte. A deliberate template change updates them:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/golden      # then review `git diff test/fixtures/golden`
 *
 * Not compared byte for byte: the manifest's `blueprintSource` (where the blueprint came from and its
 * version, which the contract added; the manifest is compared with that field removed), and the `spec:`
 * line of .backend-arch/answers.yaml (a path relative to the project, so it depends on the machine).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const GOLDEN_DIR = path.resolve('test/fixtures/golden');
const SPECS = path.resolve('test/fixtures/specs');

const CASES: Record<string, string[]> = {
  example: ['--yes'],
  shop: ['--yes', '--spec', path.join(SPECS, 'shop.yaml')],
  notes: ['--yes', '--spec', path.join(SPECS, 'notes.yaml'), '--features', 'ci,loadtest', '--package-manager', 'pnpm'],
};

const MANIFEST = '.backend-arch/manifest.json';
const ANSWERS = '.backend-arch/answers.yaml';

async function listFiles(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(root, rel)));
    else out.push(rel);
  }
  return out.sort();
}

/** The manifest as the pre-contract generator wrote it: the contract's added field removed. */
function comparableManifest(text: string): string {
  const json = JSON.parse(text) as Record<string, unknown>;
  delete json.blueprintSource;
  return `${JSON.stringify(json, null, 2)}\n`;
}

async function hashes(projectDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const file of await listFiles(projectDir)) {
    let content = await readFile(path.join(projectDir, file), 'utf8');
    if (file === MANIFEST) content = comparableManifest(content);
    // The answers file records the spec path relative to the project: it depends on where the checkout and the temp dir are.
    if (file === ANSWERS) content = content.replace(/^spec: .*$/m, 'spec: <relative path of the spec>');
    out[file] = createHash('sha256').update(content).digest('hex');
  }
  return out;
}

const cwd = await mkdtemp(path.join(tmpdir(), 'cba-golden-'));
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe('monolith-cache output is byte-identical to the golden', () => {
  for (const [name, args] of Object.entries(CASES)) {
    it(name, async () => {
      const run = await runCli([name, ...args, '--no-install', '--no-verify', '--no-git'], { cwd });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const actual = await hashes(path.join(cwd, name));
      const goldenFile = path.join(GOLDEN_DIR, `${name}.json`);
      if (process.env.UPDATE_GOLDEN) {
        await writeFile(goldenFile, `${JSON.stringify({ args: args.map((a) => a.replace(SPECS, 'test/fixtures/specs')), files: actual }, null, 2)}\n`);
        return;
      }
      const golden = JSON.parse(await readFile(goldenFile, 'utf8')) as { files: Record<string, string> };
      expect(Object.keys(actual)).toEqual(Object.keys(golden.files));
      const differing = Object.keys(actual).filter((f) => actual[f] !== golden.files[f]);
      expect(differing, 'files whose bytes changed (UPDATE_GOLDEN=1 records a deliberate change)').toEqual([]);
    });
  }
});
