/**
 * `backend-arch pack test [DIR]`: runs a pack's own tests. The tests module (pack.json `tests`, default
 * test/cases.js) default-exports cases; each case generates a project from the pack (a preset, with or
 * without installing it) into a temporary directory, then walks its steps: apply a change (a student's
 * solution, or something broken on purpose), run verify on the checks the step names, and compare
 * every check's outcome with the one expected. A case that expects a check to fail on a broken project
 * and pass on a fixed one is how an instructor knows the check can tell them apart.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { z } from 'zod';
import { silentProgress } from '../cli/progress.js';
import { runNew } from '../commands/new.js';
import { UserError } from '../core/errors.js';
import { readManifest } from '../core/manifest.js';
import { validateSpecValue } from '../domain/load.js';
import type { SpecInput } from '../domain/schema.js';
import { runRegen } from '../regen/run.js';
import { replaceSpecChange } from '../regen/spec-change.js';
import type { CheckResult } from '../verify/types.js';
import { resolvePack } from './registry.js';

/** What a step's `apply` gets: the generated project, and what a student would do to it. */
export interface PackTestProject {
  dir: string;
  read(file: string): Promise<string>;
  write(file: string, text: string): Promise<void>;
  /** Replaces `search` in a file; throws when it is not there (a scripted change that no longer applies). */
  replace(file: string, search: string | RegExp, replacement: string): Promise<void>;
  /** The project's spec as recorded in its manifest (a copy to change). */
  spec(): Promise<SpecInput>;
  /** `backend-arch update` with a changed spec (validated like any spec; the 3-way merge keeps the project's edits). */
  update(change: (spec: SpecInput) => SpecInput | void): Promise<void>;
  /** Runs a command in the project; throws with its output when it fails. */
  exec(file: string, args: string[]): Promise<string>;
}

const statusSchema = z.enum(['pass', 'fail', 'skip']);
/** An outcome, or an outcome and a pattern its summary must match (so a check that fails for another reason — a build error — does not count). */
const expectedSchema = z.union([statusSchema, z.strictObject({ status: statusSchema, summary: z.instanceof(RegExp) })]);
const caseSchema = z.strictObject({
  name: z.string().min(1),
  preset: z.string().optional(),
  /** Install the project's dependencies (needed by dynamic checks). */
  install: z.boolean().default(false),
  steps: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        apply: z.custom<(project: PackTestProject) => Promise<void> | void>((v) => typeof v === 'function', { error: 'expected a function' }).optional(),
        /** Check id → the outcome expected after this step. */
        expect: z.record(z.string(), expectedSchema).refine((e) => Object.keys(e).length > 0, { error: 'expected at least one check id' }),
      }),
    )
    .min(1),
});
export type PackTestCase = z.output<typeof caseSchema>;

export interface StepOutcome {
  case: string;
  step: string;
  ok: boolean;
  /** Check id → expected / actual, with the check's summary. */
  checks: { id: string; expected: string; actual: string; summary: string }[];
  /** The step's change threw (its message); the case stopped there. */
  error?: string;
}

export interface PackTestResult {
  pack: string;
  version: string;
  steps: StepOutcome[];
  passed: number;
  failed: number;
  /** With `keep`: the generated projects, by case name. */
  kept: Record<string, string>;
}

export interface PackTestOptions {
  dir: string;
  /** Only the cases whose name contains this. */
  filter?: string;
  /** Keep the generated projects (their paths are logged). */
  keep?: boolean;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export async function runPackTests(options: PackTestOptions): Promise<PackTestResult> {
  const dir = path.resolve(options.dir);
  const log = options.log ?? (() => undefined);
  const { pack } = await resolvePack(dir, { from: dir, what: 'pack test' });
  const file = path.join(dir, pack.manifest.tests);
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
  } catch (err) {
    throw new UserError(`The pack's tests module ${file} failed to load: ${(err as Error).message}`, { hint: 'pack.json field "tests" names it (default test/cases.js).' });
  }
  const parsed = z.array(caseSchema).safeParse(exported);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`Invalid pack tests in ${file}: cases${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`);
  }
  const known = new Set(pack.checks.map((c) => c.id));
  const cases = parsed.data.filter((c) => !options.filter || c.name.includes(options.filter));
  const steps: StepOutcome[] = [];
  const kept: Record<string, string> = {};
  for (const testCase of cases) {
    const root = await mkdtemp(path.join(tmpdir(), `pack-test-${pack.name}-`));
    const projectDir = path.join(root, 'project');
    log(`${testCase.name}: generating from ${pack.name}${testCase.preset ? ` (preset ${testCase.preset})` : ''}${testCase.install ? ', installing' : ''} in ${projectDir}`);
    try {
      await runNew(projectDir, { pack: dir, ...(testCase.preset ? { preset: testCase.preset } : {}), yes: true, install: testCase.install, verify: false, git: false }, {
        cwd: root,
        env: { ...(options.env ?? process.env), npm_config_prefer_offline: 'true' },
        prompter: undefined,
        progress: silentProgress,
      });
      const project = projectHelper(projectDir);
      for (const step of testCase.steps) {
        const unknown = Object.keys(step.expect).filter((id) => id.startsWith(`${pack.name}.`) && !known.has(id));
        if (unknown.length) throw new UserError(`${file}: case "${testCase.name}", step "${step.name}": no check ${unknown.join(', ')} in the pack.`);
        if (step.apply) {
          try {
            await step.apply(project);
          } catch (err) {
            // A change that cannot be applied fails the step; the case's later steps would build on it.
            steps.push({ case: testCase.name, step: step.name, ok: false, checks: [], error: (err as Error).message });
            log(`  ✗ ${step.name}: the change failed: ${(err as Error).message}`);
            break;
          }
        }
        const { runVerify } = await import('../verify/run.js');
        const report = await runVerify({ dir: projectDir, only: Object.keys(step.expect) });
        const outcome = compare(testCase.name, step.name, step.expect, report.results);
        steps.push(outcome);
        log(`  ${outcome.ok ? '✓' : '✗'} ${step.name}`);
        for (const c of outcome.checks) log(`      ${c.expected === c.actual ? '✓' : '✗'} ${c.id}: expected ${c.expected}, got ${c.actual} — ${c.summary}`);
      }
    } finally {
      if (options.keep) {
        kept[testCase.name] = projectDir;
        log(`  (kept ${projectDir})`);
      }
      else await rm(root, { recursive: true, force: true });
    }
  }
  const failed = steps.filter((s) => !s.ok).length;
  return { pack: pack.name, version: pack.version, steps, passed: steps.length - failed, failed, kept };
}

function compare(caseName: string, step: string, expect: Record<string, z.output<typeof expectedSchema>>, results: CheckResult[]): StepOutcome {
  const checks = Object.entries(expect).map(([id, want]) => {
    const r = results.find((x) => x.id === id);
    const expected = typeof want === 'string' ? want : `${want.status} (${String(want.summary)})`;
    const matched = r !== undefined && (typeof want === 'string' ? r.status === want : r.status === want.status && want.summary.test(r.summary));
    const actual = r === undefined ? 'missing' : matched ? expected : r.status;
    return { id, expected, actual, summary: r?.summary ?? 'not in the checklist' };
  });
  return { case: caseName, step, ok: checks.every((c) => c.expected === c.actual), checks };
}

function projectHelper(dir: string): PackTestProject {
  const abs = (file: string) => path.join(dir, file);
  return {
    dir,
    read: (file) => readFile(abs(file), 'utf8'),
    write: (file, text) => writeFile(abs(file), text),
    async replace(file, search, replacement) {
      const text = await readFile(abs(file), 'utf8');
      const found = typeof search === 'string' ? text.includes(search) : search.test(text);
      if (!found) throw new Error(`${file}: ${String(search)} not found (the scripted change no longer applies)`);
      await writeFile(abs(file), text.replace(search, replacement));
    },
    spec: async () => structuredClone((await readManifest(dir)).spec),
    async update(change) {
      const spec: SpecInput = structuredClone((await readManifest(dir)).spec);
      const next = change(spec) ?? spec;
      const result = await runRegen({ dir, generator: 'update', change: replaceSpecChange(validateSpecValue(next, 'pack test spec'), 'pack test spec'), allowDirty: true });
      if (result.conflicts.length) throw new Error(`update left conflicts in ${result.conflicts.join(', ')}`);
    },
    async exec(file, args) {
      const r = await execa(file, args, { cwd: dir, reject: false, all: true, preferLocal: true, localDir: dir, timeout: 300_000 });
      if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} failed (exit ${r.exitCode}):\n${String(r.all ?? '').slice(-2000)}`);
      return String(r.all ?? '');
    },
  };
}
