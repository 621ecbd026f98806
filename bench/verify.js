#!/usr/bin/env node
// Times `verify` on an installed project: the static part (target < 2 s) and the whole checklist
// (target < 60 s on a warm dependency cache). Run `npm run build` first.
//
//   node bench/verify.js [projectDir]     # default: generate + install acme-tasks into a temp dir
//
// Servers come from DATABASE_URL/REDIS_URL or are started as throwaways (see generators/servers).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { runVerify } = await import(path.join(root, 'dist/verify/run.js'));

let dir = process.argv[2] && path.resolve(process.argv[2]);
let temp;
if (!dir) {
  temp = mkdtempSync(path.join(tmpdir(), 'cba-bench-verify-'));
  dir = path.join(temp, 'acme');
  const t0 = performance.now();
  execFileSync(process.execPath, [path.join(root, 'bin/backend-arch.js'), 'new', dir, '--yes', '--no-verify'], { stdio: 'inherit' });
  console.log(`setup: generated and installed ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s (not part of the figures)`);
}
if (!existsSync(path.join(dir, 'node_modules'))) {
  console.error(`${dir} has no node_modules: install it first (the whole-checklist figure needs it)`);
  process.exit(2);
}

const summarize = (r) => `${r.totals.pass} passed, ${r.totals.fail} failed, ${r.totals.skip} skipped`;
const staticRuns = [];
let last;
let coldMs;
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  last = await runVerify({ dir, staticOnly: true });
  staticRuns.push(performance.now() - t0);
  coldMs ??= staticRuns[0];
}
staticRuns.sort((a, b) => a - b);
console.log(`static checklist (${last.results.length} checks): median ${(staticRuns[2] / 1000).toFixed(2)} s, min ${(staticRuns[0] / 1000).toFixed(2)} s over 5 runs, first (cold: parser and compiler loading) ${(coldMs / 1000).toFixed(2)} s (target < 2 s) — ${summarize(last)}`);

const t1 = performance.now();
const full = await runVerify({ dir });
const fullMs = performance.now() - t1;
console.log(`whole checklist (${full.results.length} checks): ${(fullMs / 1000).toFixed(1)} s (target < 60 s) — ${summarize(full)}`);
for (const r of full.results.filter((x) => x.kind === 'dynamic')) {
  console.log(`  ${r.id.padEnd(34)} ${String(r.durationMs).padStart(6)} ms  ${r.status}${r.figures ? `  ${JSON.stringify(r.figures)}` : ''}`);
}
if (temp) rmSync(temp, { recursive: true, force: true });
process.exit(full.totals.fail > 0 ? 1 : 0);
