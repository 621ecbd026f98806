#!/usr/bin/env node
// Times generation of the default (built-in example) backend without install or verify.
//   cold: the whole CLI as a user runs it (`create-backend-arch DIR --yes --no-install --no-verify`),
//         a fresh Node process each time — includes Node startup and module loading;
//   warm: generateProject + commit in one process (what add/update pay per run once loaded).
// Target (PRODUCT.md): a full backend in under 1 s. Run: npm run bench
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 7);
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (o) => `min ${o.min.toFixed(0)} ms, median ${o.median.toFixed(0)} ms, max ${o.max.toFixed(0)} ms`;

const work = mkdtempSync(path.join(tmpdir(), 'cba-bench-'));
const cold = [];
let files = 0;
for (let i = 0; i < runs; i++) {
  const dir = path.join(work, `cold-${i}`);
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [path.join(root, 'bin/backend-arch.js'), 'new', dir, '--yes', '--no-install', '--no-verify', '--json'], { env: { ...process.env, CI: '1' } });
  cold.push(performance.now() - t0);
  files = JSON.parse(out.toString()).files.length;
}

const { generateProject } = await import(path.join(root, 'dist/pipeline/generate.js'));
const { commitTree } = await import(path.join(root, 'dist/core/commit.js'));
const { loadSpecFile } = await import(path.join(root, 'dist/spec/load.js'));
const { EXAMPLE_SPEC_PATH } = await import(path.join(root, 'dist/core/version.js'));
const warm = [];
for (let i = 0; i < runs + 1; i++) {
  const dir = path.join(work, `warm-${i}`);
  const t0 = performance.now();
  const spec = await loadSpecFile(EXAMPLE_SPEC_PATH);
  const { tree } = await generateProject({ targetDir: dir, spec, answers: { name: 'bench', blueprint: 'monolith-cache', packageManager: 'npm', features: ['docker', 'ci', 'monitoring', 'loadtest'] } });
  await commitTree(tree);
  if (i > 0) warm.push(performance.now() - t0); // the first in-process run loads prettier's plugins
}
rmSync(work, { recursive: true, force: true });

console.log(`generate default backend (${files} files), ${runs} runs each`);
console.log(`  cold CLI process: ${fmt(stats(cold))}`);
console.log(`  warm in-process : ${fmt(stats(warm))}`);
console.log(`  target: < 1000 ms cold — ${stats(cold).median < 1000 ? 'met' : 'NOT met'}`);
