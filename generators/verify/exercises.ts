/**
 * A workshop pack's exercises as a student reads them: each exercise's checks, grouped, with one
 * outcome — done (every check passed), not done (one failed: the first failing check's summary says
 * what is missing), not checked (nothing ran to a verdict, e.g. dynamic checks without servers).
 */
import type { Exercise } from '../packs/manifest.js';
import type { CheckResult, ExerciseResult } from './types.js';

export function exerciseResults(exercises: Exercise[], results: CheckResult[]): ExerciseResult[] {
  return exercises.map((e) => {
    const mine = results.filter((r) => r.exercise === e.id);
    const failed = mine.filter((r) => r.status === 'fail').map((r) => r.id);
    const notChecked = mine.filter((r) => r.status === 'skip').map((r) => r.id);
    const status = failed.length > 0 ? 'not-done' : mine.length > 0 && notChecked.length === 0 ? 'done' : 'not-checked';
    return { id: e.id, title: e.title, goal: e.goal, status, checks: mine.map((r) => r.id), failed, notChecked };
  });
}

/** One line per exercise: "exercise 2 (Move the invoice to a job): done" / "…: not done — <what the first failing check says>". */
export function exerciseLines(exercises: ExerciseResult[], results: CheckResult[]): string[] {
  return exercises.map((e) => {
    const head = `exercise ${e.id} (${e.title})`;
    if (e.status === 'done') return `${head}: done`;
    if (e.status === 'not-done') {
      const first = results.find((r) => r.id === e.failed[0]);
      return `${head}: not done — ${first?.summary ?? e.failed.join(', ')}${e.failed.length > 1 ? ` (and ${e.failed.length - 1} more failing check${e.failed.length > 2 ? 's' : ''})` : ''}`;
    }
    const why = e.checks.length === 0 ? 'its checks were not part of this run (--static or --only)' : (results.find((r) => r.id === e.notChecked[0])?.summary ?? 'its checks did not run');
    return `${head}: not checked — ${why}`;
  });
}
