/**
 * Runs a blueprint's checklist: static checks in parallel (they only read the project), then dynamic
 * checks one after another (they share servers and processes). A check that throws is reported as a
 * failure of that check, with the error as evidence; the run always completes.
 */
import { ProjectContext } from './context.js';
import { checksFor } from './registry.js';
import { Runtime } from './dynamic/runtime.js';
import type { Check, CheckContext, CheckOutcome, CheckResult, VerifyReport } from './types.js';

export interface VerifyOptions {
  dir: string;
  /** Static checks only. */
  staticOnly?: boolean;
  /** Run only these check ids (or id prefixes ending in '.', e.g. "schema."). */
  only?: string[];
  /** Called when a check starts and when it ends (live progress). */
  onProgress?: (event: { type: 'start' | 'end'; check: Check; result?: CheckResult }) => void;
}

export async function runVerify(options: VerifyOptions): Promise<VerifyReport> {
  const started = Date.now();
  const project = await ProjectContext.load(options.dir);
  const selected = checksFor(project.blueprint).filter((c) => selects(options.only, c.id));
  const statics = selected.filter((c) => c.kind === 'static');
  const dynamics = options.staticOnly ? [] : selected.filter((c) => c.kind === 'dynamic');

  const results: CheckResult[] = await Promise.all(statics.map((c) => runOne(c, { project }, options)));
  if (dynamics.length) {
    const runtime = new Runtime(project);
    try {
      for (const c of dynamics) results.push(await runOne(c, { project, runtime }, options));
    } finally {
      await runtime.dispose();
    }
  }
  const totals = { pass: 0, fail: 0, skip: 0 };
  for (const r of results) totals[r.status]++;
  return {
    project: project.dir,
    blueprint: project.manifest.blueprint,
    generatorVersion: project.manifest.generator.version,
    mode: options.staticOnly ? 'static' : 'full',
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    totals,
    results,
  };
}

function selects(only: string[] | undefined, id: string): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => (o.endsWith('.') ? id.startsWith(o) : id === o));
}

async function runOne(check: Check, ctx: CheckContext, options: VerifyOptions): Promise<CheckResult> {
  options.onProgress?.({ type: 'start', check });
  const t0 = Date.now();
  let outcome: CheckOutcome;
  try {
    outcome = await check.run(ctx);
  } catch (err) {
    outcome = {
      status: 'fail',
      summary: `the check could not complete: ${(err as Error).message.split('\n')[0]}`,
      evidence: [{ text: String((err as Error).stack ?? err).split('\n').slice(0, 6).join('\n') }],
      fix: 'See the error above; if the project is unchanged this is a bug in create-backend-arch.',
    };
  }
  const result: CheckResult = { id: check.id, title: check.title, seed: check.seed, kind: check.kind, ...outcome, durationMs: Date.now() - t0 };
  options.onProgress?.({ type: 'end', check, result });
  return result;
}
