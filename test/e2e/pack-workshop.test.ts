/**
 * The example workshop pack end to end (packs/rental-workshop): a project generated from its day-1
 * preset and installed, then the pack's own tests (test/cases.js) walk the workshop with a scripted
 * student — the same steps `backend-arch pack test packs/rental-workshop` runs. Each exercise's checks
 * run for real (EXPLAIN on PostgreSQL, the API and the worker on Redis) and must fail on the fresh
 * project and on a wrong attempt, then pass once the exercise is solved, and stay passing while the
 * next one is solved. Then verify's student summary and JSON on the finished project.
 * Needs PostgreSQL and Redis: run under test/support/with-servers.js.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPackTests, type PackTestResult } from '../../generators/packs/test-runner.js';
import { runCli } from '../support/cli.js';

const PACK = path.resolve('packs/rental-workshop');
const EXERCISE_CHECKS = {
  '1-overdue-index': ['rental-workshop.overdue-index'],
  '2-invoice-job': ['rental-workshop.invoice-async'],
  '3-rental-rate-limit': ['rental-workshop.rental-rate-limit', 'rental-workshop.rate-limit-alert'],
};

let result: PackTestResult;
let project: string;

beforeAll(async () => {
  result = await runPackTests({ dir: PACK, keep: true });
  project = Object.values(result.kept)[0]!;
}, 600_000);
afterAll(async () => {
  if (project) await rm(path.dirname(project), { recursive: true, force: true });
});

/** The outcome of a check after each step, in order (undefined where a step does not look at it). */
function timeline(id: string): (string | undefined)[] {
  return result.steps.map((s) => s.checks.find((c) => c.id === id)?.actual.split(' ')[0]);
}

describe('the rental workshop, solved by a scripted student', () => {
  it("every step of the pack's own tests comes out as expected", () => {
    const unexpected = result.steps.filter((s) => !s.ok).map((s) => ({ step: s.step, error: s.error, checks: s.checks.filter((c) => c.expected !== c.actual) }));
    expect(unexpected).toEqual([]);
    expect(result.steps.length).toBe(8);
  });

  it.each(Object.entries(EXERCISE_CHECKS))('exercise %s: its checks flip from fail to pass when it is solved, and stay passing', (_exercise, ids) => {
    for (const id of ids) {
      const seen = timeline(id).filter((s): s is string => s !== undefined);
      expect(seen[0]).toBe('fail');
      expect(seen.at(-1)).toBe('pass');
      // Once passing (the exercise solved), it never goes back to failing.
      expect(seen.slice(seen.indexOf('pass'))).not.toContain('fail');
    }
  });

  it("verify on the finished project: every exercise done, in the student's summary and the versioned JSON", async () => {
    const json = await runCli(['verify', project, '--only', 'rental-workshop.,dynamic.typecheck', '--json', '--no-report'], { cwd: project, as: 'backend-arch' });
    process.exitCode = undefined;
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.pack).toEqual({ name: 'rental-workshop', version: '1.0.0', preset: 'rental-shop-day-1' });
    expect(report.exercises.map((e: { id: string; status: string }) => `${e.id}: ${e.status}`)).toEqual(['1-overdue-index: done', '2-invoice-job: done', '3-rental-rate-limit: done']);
    // The student's changes type-check (the built-in check, beside the pack's).
    expect(report.results.find((r: { id: string }) => r.id === 'dynamic.typecheck').status).toBe('pass');
    const text = await runCli(['verify', project, '--only', 'rental-workshop.', '--no-report'], { cwd: project, as: 'backend-arch' });
    process.exitCode = undefined;
    expect(text.stdout).toContain('exercise 1-overdue-index (Serve the overdue-rentals list from an index): done');
    expect(text.stdout).toContain('exercise 2-invoice-job (Move the invoice endpoint to the async job pattern): done');
    expect(text.stdout).toContain('exercise 3-rental-rate-limit (Limit rental creation per user, and alert on it): done');
  }, 300_000);
});
