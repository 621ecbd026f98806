/**
 * The checklist as data. A check is one small module: an id, a title, the seed item it enforces, its
 * kind, and a run() that returns pass / fail / skip with evidence (file:line, SQL, HTTP exchange, a
 * figure) and, on failure, how to fix it. Checks never throw for a finding; a thrown error is reported
 * as a failure of that check (the checklist keeps going).
 */
import type { ProjectContext } from './context.js';
import type { Runtime } from './dynamic/runtime.js';

export type CheckKind = 'static' | 'dynamic';
/**
 * pass / fail; skip: the check applies to this kind of project but did not run to a verdict here (the spec
 * declares nothing it looks at, or it could not run: `notRun`); n/a: the property does not exist for the
 * blueprint (a Worker has no container and no process of its own), the reason from its checklist's
 * `notApplicable` — counted apart, so a skip always means something was left unchecked.
 */
export type CheckStatus = 'pass' | 'fail' | 'skip' | 'n/a';

/** The seed document and section a check enforces, e.g. 003 — Before Claiming Completion. */
export interface SeedRef {
  file: string;
  section: string;
}

export interface Evidence {
  /** Project-relative path, when the evidence is a place in a file. */
  file?: string;
  line?: number;
  /** What was found there (or what was sent and received). */
  text: string;
}

export interface CheckOutcome {
  status: CheckStatus;
  /** One line: what holds, what does not, or why the check could not run. */
  summary: string;
  evidence: Evidence[];
  /** How to fix a failure (or what to install/set for a skip). */
  fix?: string;
  /** Measured numbers (ms, rows, requests/s), reported as they are. */
  figures?: Record<string, number | string>;
  /**
   * A skip because the check COULD NOT RUN (dependencies not installed, no servers, an earlier
   * failure it depends on) — as opposed to a skip because the check does not apply (no jobs
   * declared). A full run with such a skip exits 3 (see exitCodeOf), never 0.
   */
  notRun?: true;
}

export interface CheckContext {
  project: ProjectContext;
  /** Shared servers and processes for dynamic checks; undefined during a static-only run. */
  runtime?: Runtime;
}

export interface Check {
  id: string;
  title: string;
  seed: SeedRef;
  kind: CheckKind;
  /** The exercise (a workshop pack's learning goal, by id) this check grades; packs only. */
  exercise?: string;
  run(ctx: CheckContext): Promise<CheckOutcome>;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
  seed: SeedRef;
  kind: CheckKind;
  durationMs: number;
  /** The pack exercise the check grades (absent for the built-in checklist). */
  exercise?: string;
}

/** How far a student got with one exercise of a workshop pack (see generators/verify/exercises.ts). */
export interface ExerciseResult {
  id: string;
  title: string;
  goal: string;
  /** done: every check of the exercise passed; not-done: one failed; not-checked: none ran to a verdict. */
  status: 'done' | 'not-done' | 'not-checked';
  /** The exercise's checks in this run, and those that failed or did not run. */
  checks: string[];
  failed: string[];
  notChecked: string[];
}

/** The version of verify's JSON report (docs/verify-json.md): bumped only when a field changes or goes; new fields keep it. */
export const REPORT_SCHEMA_VERSION = 1;

export interface VerifyReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  project: string;
  blueprint: string;
  generatorVersion: string;
  mode: 'static' | 'full';
  startedAt: string;
  durationMs: number;
  /** `notApplicable` counts the `n/a` results (absent from reports written before it existed). */
  totals: { pass: number; fail: number; skip: number; notApplicable: number };
  results: CheckResult[];
  /** The workshop pack the project was generated from (absent otherwise). */
  pack?: { name: string; version: string; preset?: string };
  /** The pack's exercises, in its order, each with its outcome (absent without a pack). */
  exercises?: ExerciseResult[];
}

// --- small constructors, so checks read as data ------------------------------------------------

export const pass = (summary: string, evidence: Evidence[] = [], figures?: CheckOutcome['figures']): CheckOutcome => ({
  status: 'pass',
  summary,
  evidence,
  ...(figures ? { figures } : {}),
});

export const fail = (summary: string, evidence: Evidence[], fix: string, figures?: CheckOutcome['figures']): CheckOutcome => ({
  status: 'fail',
  summary,
  evidence,
  fix,
  ...(figures ? { figures } : {}),
});

/** The check does not apply to this project (e.g. the spec declares no jobs). */
export const skip = (summary: string, fix?: string): CheckOutcome => ({ status: 'skip', summary, evidence: [], ...(fix ? { fix } : {}) });

/** The property the check judges does not exist for the blueprint (its checklist's `notApplicable` reason). */
export const notApplicable = (summary: string): CheckOutcome => ({ status: 'n/a', summary, evidence: [] });

/** The check applies but could not run (no servers, dependencies missing, a prerequisite failed). */
export const cannotRun = (summary: string, fix: string): CheckOutcome => ({ status: 'skip', summary, evidence: [], fix, notRun: true });

/**
 * The exit status of a verify run, documented in README and `verify --help`:
 * 0 every check that applies passed; 1 a check failed; 3 no check failed but some could not run
 * (dependencies not installed, servers unavailable) in a full run — a run that did not check
 * everything must not look like one that did. `--static` asks for the static part only, so skipped
 * dynamic checks do not count there. (2 is a usage error, raised before a report exists.)
 */
export function exitCodeOf(report: VerifyReport): 0 | 1 | 3 {
  if (report.totals.fail > 0) return 1;
  if (report.mode === 'full' && report.results.some((r) => r.notRun)) return 3;
  return 0;
}

export const EXIT_CODES_HELP = 'Exit status: 0 every check that applies passed; 1 a check failed; 2 bad usage (not a generated project, --only matching no check); 3 nothing failed but some checks could not run (dependencies not installed, no PostgreSQL/Redis) — not used with --static.';

/** pass when there are no problems, fail listing every problem otherwise. */
export function verdict(problems: Evidence[], ok: { summary: string; evidence?: Evidence[] }, bad: { summary: string; fix: string }): CheckOutcome {
  return problems.length === 0 ? pass(ok.summary, ok.evidence ?? []) : fail(bad.summary, problems, bad.fix);
}

export const SEEDS = {
  s000: '000_edbdee17610928a9.txt',
  s001: '001_fa9df796ca934c55.txt',
  s002: '002_6826c65448800824.txt',
  s003: '003_b0ab1a6ac988f798.txt',
  s004: '004_468a66019b96a491.txt',
} as const;

export function seed(file: keyof typeof SEEDS, section: string): SeedRef {
  return { file: SEEDS[file], section };
}
