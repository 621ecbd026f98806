#!/usr/bin/env node
// Times generation of the default (built-in example) backend without install or verify.
//   CLI, no format cache : the whole command as a user runs it the first time on a machine
//                          (`create-backend-arch DIR --yes --no-install --no-verify --no-git`), a fresh Node
//                          process each run, prettier's content cache disabled;
//   CLI, format cache    : the same with the cache primed by one earlier generation (any later run);
//   in-process           : generateProject + commit in an already-loaded process, cache disabled.
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
let files = 0;
function cli(label, env) {
  const dir = path.join(work, `${label}-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [path.join(root, 'bin/create-backend-arch.js'), dir, '--yes', '--no-install', '--no-verify', '--no-git', '--json'], {
    env: { ...process.env, CI: '1', ...env },
  });
  files = JSON.parse(out.toString()).files.length;
  return performance.now() - t0;
}

const noCache = { CREATE_BACKEND_ARCH_CACHE: 'off' };
const cached = { XDG_CACHE_HOME: path.join(work, 'cache') };
const uncachedRuns = Array.from({ length: runs }, () => cli('nocache', noCache));
cli('prime', cached);
const cachedRuns = Array.from({ length: runs }, () => cli('cache', cached));

process.env.CREATE_BACKEND_ARCH_CACHE = 'off';
const { generateProject } = await import(path.join(root, 'dist/pipeline/generate.js'));
const { commitTree } = await import(path.join(root, 'dist/core/commit.js'));
const { loadSpecFile } = await import(path.join(root, 'dist/domain/load.js'));
const { EXAMPLE_SPEC_PATH } = await import(path.join(root, 'dist/core/version.js'));
const inProcess = [];
for (let i = 0; i < runs + 1; i++) {
  const t0 = performance.now();
  const spec = await loadSpecFile(EXAMPLE_SPEC_PATH);
  const answers = { name: 'bench', blueprint: 'monolith-cache', packageManager: 'npm', features: ['docker', 'ci', 'monitoring', 'loadtest'] };
  const { tree } = await generateProject({ targetDir: path.join(work, `warm-${i}`), spec, answers });
  await commitTree(tree);
  if (i > 0) inProcess.push(performance.now() - t0); // the first in-process run loads prettier's plugins
}
rmSync(work, { recursive: true, force: true });

const target = stats(uncachedRuns).median < 1000 ? 'met' : 'NOT met';
console.log(`generate the default backend (${files} files, no install), ${runs} runs each`);
console.log(`  CLI, no format cache (first run on a machine): ${fmt(stats(uncachedRuns))}`);
console.log(`  CLI, format cache primed (later runs)         : ${fmt(stats(cachedRuns))}`);
console.log(`  in-process, no cache (process already loaded) : ${fmt(stats(inProcess))}`);
console.log(`  target < 1000 ms for a first run: ${target}`);
