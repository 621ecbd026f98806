#!/usr/bin/env node
// Usage: node test/support/with-servers.js node test/support/run-suites.js
//
// The whole suite in three phases (what `npm test` and CI run):
//   1. every project but e2e, two files at a time (the machine has two cores);
//   2. the e2e files that measure nothing, two at a time;
//   3. the e2e files that measure latency, alone, one at a time: the generated projects'
//      load tests and verify's dynamic.load-p95 measure latency, and a tsc or npm install
//      running beside them would be measured too. A new e2e file that measures latency
//      goes in LATENCY_FILES.
// Prints one closing line, "N passed, N failed, N skipped", summed over the phases,
// and exits non-zero when any phase failed.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// hybrid: its verify runs the monolith's dynamic.load-p95 on the container API.
const LATENCY_FILES = ['test/e2e/generate-and-test.test.ts', 'test/e2e/hybrid.test.ts'];
const e2eFiles = readdirSync('test/e2e')
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => `test/e2e/${f}`)
  .filter((f) => !LATENCY_FILES.includes(f));

const out = mkdtempSync(path.join(tmpdir(), 'cba-suites-'));
const phases = [
  { name: 'unit, contract, regen, verify, other', args: ['--project', 'unit', '--project', 'contract', '--project', 'regen', '--project', 'verify', '--project', 'other'] },
  { name: 'e2e that measures nothing (two files at a time)', args: ['--project', 'e2e', '--maxWorkers', '2', ...e2eFiles, 'test/servers.test.ts'] },
  { name: 'e2e that measures latency (alone)', args: ['--project', 'e2e', '--maxWorkers', '1', ...LATENCY_FILES] },
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
