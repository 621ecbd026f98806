/**
 * Shared fixtures for the verify tests: one generated project per spec (no install), copied for each
 * breakage; `breakFile` edits a copy and fails loudly if the text to break is not there (so a template
 * change cannot silently turn a break-case into a no-op).
 */
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { main } from '../../generators/cli/main.js';
import { runVerify } from '../../generators/verify/run.js';
import type { CheckResult } from '../../generators/verify/types.js';

export async function generate(name: string, extra: string[] = []): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'cba-verify-'));
  const dir = path.join(root, name);
  const out: string[] = [];
  const sink = { write: (s: string) => (out.push(s), true) } as unknown as NodeJS.WritableStream;
  const code = await main(['new', dir, '--yes', '--no-install', '--no-verify', ...extra], { invokedAs: 'backend-arch', stdout: sink, stderr: sink, interactive: false });
  if (code !== 0) throw new Error(`generation failed (${code}): ${out.join('')}`);
  return dir;
}

export async function copyProject(dir: string, options: { withNodeModules?: boolean } = {}): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'cba-break-'));
  const copy = path.join(root, path.basename(dir));
  await cp(dir, copy, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => options.withNodeModules || !src.split(path.sep).includes('node_modules'),
  });
  return copy;
}

export async function removeProject(dir: string): Promise<void> {
  await rm(path.dirname(dir), { recursive: true, force: true });
}

/** Replaces `from` with `to` in a project file; throws if `from` is absent. */
export async function breakFile(dir: string, file: string, from: string | RegExp, to: string): Promise<void> {
  const full = path.join(dir, file);
  const text = await readFile(full, 'utf8');
  const hit = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!hit) throw new Error(`break-case is stale: ${file} no longer contains ${String(from)}`);
  await writeFile(full, text.replace(from, to));
}

export async function addFile(dir: string, file: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), content);
}

export async function runCheck(dir: string, id: string): Promise<CheckResult> {
  const report = await runVerify({ dir, only: [id], staticOnly: !id.startsWith('dynamic.') });
  const r = report.results.find((x) => x.id === id);
  if (!r) throw new Error(`check ${id} did not run`);
  return r;
}

/**
 * A blueprint's two fresh projects, generated side by side with the same flags: the built-in example
 * (named `exampleName`) and a spec fixture (named `shop`).
 */
export function generateExampleAndSpec(exampleName: string, specFixture: string, flags: string[]): Promise<[string, string]> {
  return Promise.all([generate(exampleName, flags), generate('shop', [...flags, '--spec', path.resolve('test/fixtures/specs', specFixture)])]);
}

/** Runs a check on each project and requires a pass (the message names the project and the evidence). */
export async function expectPassOnEach(dirs: string[], id: string): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const dir of dirs) {
    const r = await runCheck(dir, id);
    expect(r.status, `${path.basename(dir)}: ${r.summary}\n${evidenceText(r)}`).toBe('pass');
    results.push(r);
  }
  return results;
}

/** All evidence of a result as one string (for `toContain`/`toMatch`). */
export function evidenceText(r: CheckResult): string {
  return r.evidence.map((e) => `${e.file ?? ''}${e.line ? `:${e.line}` : ''} ${e.text}`).join('\n');
}

/** Runs one check on a copy of `project` changed by `edit`; the copy is removed afterwards. */
export async function checkOnCopy(project: string, edit: (dir: string) => Promise<void>, id: string): Promise<CheckResult> {
  const dir = await copyProject(project);
  try {
    await edit(dir);
    return await runCheck(dir, id);
  } finally {
    await removeProject(dir);
  }
}
