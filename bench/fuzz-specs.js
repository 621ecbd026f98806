#!/usr/bin/env node
// Fuzzes `create-backend-arch DIR --spec FILE` with hostile spec files (fast-check; see
// test/support/spec-arbitrary.js): mutated valid specs as YAML or JSON (wrong types, unknown keys,
// odd numbers, names and strings, NUL, __proto__) and raw text (YAML fragments, deep nesting, aliases,
// CR-only line endings, a BOM), plus a share of valid specs that generate for real.
// Every run goes through the CLI's main() in this process, as bin/ calls it, and is classified:
//   accepted   exit 0: the target holds the manifest and every file the manifest lists;
//   refused    exit 2: a message naming file (and line where there is one), no stack trace, and
//              nothing on disk (the target directory does not exist);
//   crash      any other exit code, a thrown error, or a stack trace in the output;
//   partial    a refusal that left something on disk, or an acceptance with files missing.
// Prints the counts and the slowest run; exits 1 if there is any crash or partial write.
// Run: npm run build && node bench/fuzz-specs.js   (FUZZ_SPECS=1000, FUZZ_SEED=<n> to replay)
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { hostileSpecText, validSpec } from '../test/support/spec-arbitrary.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { main } = await import(path.join(root, 'dist/cli/main.js'));
const total = Number(process.env.FUZZ_SPECS ?? 1000);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
// One in ten is a valid spec (those generate a whole project: slower, and they check "accepted" writes).
const inputs = fc.sample(fc.oneof({ weight: 9, arbitrary: hostileSpecText(stringify) }, { weight: 1, arbitrary: validSpec.map((s) => stringify(s)) }), { numRuns: total, seed });

const work = mkdtempSync(path.join(tmpdir(), 'cba-fuzz-'));
const counts = { accepted: 0, refused: 0, crash: 0, partial: 0, stackTrace: 0, unlocated: 0 };
const failures = [];
let slowest = { ms: 0, index: -1 };
const started = performance.now();

for (const [index, text] of inputs.entries()) {
  const specFile = path.join(work, `spec-${index}.yaml`);
  writeFileSync(specFile, text);
  const target = path.join(work, `out-${index}`);
  let output = '';
  const sink = { write: (s) => ((output += String(s)), true) };
  const t0 = performance.now();
  let code;
  try {
    code = await main(['new', target, '--yes', '--no-install', '--no-verify', '--spec', specFile], { invokedAs: 'backend-arch', stdout: sink, stderr: sink, interactive: false });
  } catch (err) {
    code = 'thrown';
    output += String(err?.stack ?? err);
  }
  const ms = performance.now() - t0;
  if (ms > slowest.ms) slowest = { ms, index };
  const stack = /\n\s+at .+:\d+:\d+\)?/.test(output);
  if (stack) counts.stackTrace++;
  let verdict;
  if (code === 0) {
    const manifestFile = path.join(target, '.backend-arch', 'manifest.json');
    const manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : null;
    const missing = manifest ? Object.keys(manifest.files).filter((f) => !existsSync(path.join(target, f))) : ['.backend-arch/manifest.json'];
    verdict = missing.length === 0 ? 'accepted' : 'partial';
  } else if (code === 2) {
    verdict = existsSync(target) ? 'partial' : 'refused';
    if (!output.includes(`spec-${index}.yaml`)) counts.unlocated++;
  } else verdict = 'crash';
  if (stack && verdict !== 'partial') verdict = 'crash';
  counts[verdict]++;
  if (verdict === 'crash' || verdict === 'partial') {
    failures.push({ index, verdict, code, output: output.slice(0, 600) });
    writeFileSync(path.join(work, `failure-${index}.yaml`), text);
  } else rmSync(specFile, { force: true });
  rmSync(target, { recursive: true, force: true });
}

const seconds = (performance.now() - started) / 1000;
console.log(`fuzzed ${total} spec files in ${seconds.toFixed(0)} s (seed ${seed})`);
console.log(`  accepted (exit 0, every manifest file on disk): ${counts.accepted}`);
console.log(`  refused  (exit 2, nothing on disk):             ${counts.refused}  (of which not naming the spec file: ${counts.unlocated})`);
console.log(`  crashes (exit ≠ 0/2, thrown, or stack trace):   ${counts.crash}`);
console.log(`  stack traces in output:                          ${counts.stackTrace}`);
console.log(`  partial writes:                                  ${counts.partial}`);
console.log(`  slowest run: ${slowest.ms.toFixed(0)} ms (input ${slowest.index})`);
for (const f of failures.slice(0, 10)) console.log(`\n#${f.index} ${f.verdict} (exit ${f.code}), input kept as ${path.join(work, `failure-${f.index}.yaml`)}:\n${f.output}`);
if (failures.length === 0) rmSync(work, { recursive: true, force: true });
process.exitCode = counts.crash + counts.partial > 0 ? 1 : 0;
