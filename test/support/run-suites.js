#!/usr/bin/env node
// Usage: node test/support/with-servers.js node test/support/run-suites.js
//
// The whole suite in two phases (what `npm test` and CI run):
//   1. every project but e2e, two files at a time (the machine has two cores);
//   2. e2e alone, one file at a time: the generated projects' load tests and verify's
//      dynamic.load-p95 measure latency, and a tsc or npm install running beside them
//      would be measured too.
// Prints one closing line, "N passed, N failed" (N skipped), summed over both phases,
// and exits non-zero when either phase failed.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const out = mkdtempSync(path.join(tmpdir(), 'cba-suites-'));
const phases = [
  { name: 'unit, contract, regen, verify, other', args: ['--project', 'unit', '--project', 'contract', '--project', 'regen', '--project', 'verify', '--project', 'other'] },
  { name: 'e2e (one file at a time)', args: ['--project', 'e2e', '--maxWorkers', '1'] },
];

const totals = { passed: 0, failed: 0, skipped: 0 };
let status = 0;
for (const [i, phase] of phases.entries()) {
  const report = path.join(out, `phase-${i}.json`);
  console.log(`\n==== tests: ${phase.name} ====`);
  const run = spawnSync('vitest', ['run', ...phase.args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { stdio: 'inherit' });
  if (run.status !== 0) status = run.status ?? 1;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += json.numPassedTests;
    totals.failed += json.numFailedTests;
    totals.skipped += json.numPendingTests + json.numTodoTests;
  } catch {
    // No report: the phase did not run its tests (a crash before any file ran) — count it as a failure.
    totals.failed += 1;
    status ||= 1;
  }
}
rmSync(out, { recursive: true, force: true });
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status);
