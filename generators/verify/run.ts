/**
 * Runs a blueprint's checklist: static checks in parallel (they only read the project), then dynamic
 * checks one after another (they share servers and processes). A check that throws is reported as a
 * failure of that check, with the error as evidence; the run always completes.
 */
import { ProjectContext } from './context.js';
import { checksFor } from './registry.js';
import { Runtime } from './dynamic/runtime.js';
import { UserError } from '../core/errors.js';
import { exerciseResults } from './exercises.js';
import { cannotRun, REPORT_SCHEMA_VERSION, type Check, type CheckContext, type CheckOutcome, type CheckResult, type VerifyReport } from './types.js';

export interface VerifyOptions {
  dir: string;
  /** Static checks only. */
  staticOnly?: boolean;
  /** Run only these checks: exact ids or id prefixes ("schema.", "dynamic.explain"); one that matches nothing is a usage error. */
  only?: string[];
  /** Called when a check starts and when it ends (live progress). */
  onProgress?: (event: { type: 'start' | 'end'; check: Check; result?: CheckResult }) => void;
}

export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const project = await ProjectContext.load(options.dir);
  const checklist = checksFor(project.blueprint);
  const selected = select(checklist, options.only);
  const statics = selected.filter((c) => c.kind === 'static');
  const dynamics = options.staticOnly ? [] : selected.filter((c) => c.kind === 'dynamic');
  if (options.only?.length && statics.length === 0 && dynamics.length === 0)
    throw new UserError(`--only ${options.only.join(',')} selects only dynamic checks, and --static does not run them.`, { hint: 'Drop --static, or select static checks.' });

  const results: CheckResult[] = await Promise.all(statics.map((c) => runOne(c, { project }, options)));
  if (dynamics.length) {
    const runtime = new Runtime(project);
    try {
      // A prerequisite that fails (the build, the migrations, the API not starting) throws the same
      // error in every check that needs it: report it once, on the first check, and mark the others
      // as not run because of it — one clear cause instead of the same failure ten times.
      const causes = new Map<string, string>();
      for (const c of dynamics) {
        const r = await runOne(c, { project, runtime }, options, causes);
        results.push(r);
      }
    } finally {
      await runtime.dispose();
    }
  }
  const totals = { pass: 0, fail: 0, skip: 0, notApplicable: 0 };
  for (const r of results) totals[r.status === 'n/a' ? 'notApplicable' : r.status]++;
  const pack = project.blueprint.pack;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    project: project.dir,
    blueprint: project.manifest.blueprint,
    generatorVersion: project.manifest.generator.version,
    mode: options.staticOnly ? 'static' : 'full',
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    totals,
    results,
    ...(pack
      ? {
          pack: { name: pack.name, version: pack.version, ...(pack.source.preset ? { preset: pack.source.preset } : {}) },
          exercises: exerciseResults(pack.exercises, results),
        }
      : {}),
  };
}

/** The checks `--only` asks for: each entry an exact id or an id prefix; an entry that matches nothing is a usage error (exit 2). */
export function select(checklist: Check[], only: string[] | undefined): Check[] {
  if (!only || only.length === 0) return checklist;
  const unmatched = only.filter((o) => !checklist.some((c) => matches(o, c.id)));
  if (unmatched.length)
    throw new UserError(`--only ${unmatched.map((o) => `"${o}"`).join(', ')} matches no check of this project.`, {
      hint: `Give ids or id prefixes, comma-separated (e.g. --only schema.,dynamic.explain). The checks are:\n  ${checklist.map((c) => c.id).join('\n  ')}`,
    });
  return checklist.filter((c) => only.some((o) => matches(o, c.id)));
}

function matches(entry: string, id: string): boolean {
  return id === entry || id.startsWith(entry);
}

async function runOne(check: Check, ctx: CheckContext, options: VerifyOptions, causes?: Map<string, string>): Promise<CheckResult> {
  options.onProgress?.({ type: 'start', check });
  const t0 = Date.now();
  let outcome: CheckOutcome;
  try {
    outcome = await check.run(ctx);
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    const cause = message.split('\n')[0]!;
    const first = causes?.get(cause);
    if (first) outcome = cannotRun(`not run: ${cause.replace(/:$/, '')} (reported by ${first})`, `fix what ${first} reports, then verify again`);
    else {
      causes?.set(cause, check.id);
      outcome = {
        status: 'fail',
        summary: `the check could not complete: ${cause.replace(/:$/, '')}`,
        evidence: [{ text: message.split('\n').slice(0, 20).join('\n') }],
        fix: 'See the error above; if the project is unchanged this is a bug in create-backend-arch.',
      };
    }
  }
  const result: CheckResult = { id: check.id, title: check.title, seed: check.seed, kind: check.kind, ...outcome, durationMs: Date.now() - t0, ...(check.exercise ? { exercise: check.exercise } : {}) };
  options.onProgress?.({ type: 'end', check, result });
  return result;
}
