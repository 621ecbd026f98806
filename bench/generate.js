#!/usr/bin/env node
// Times generation of the default (built-in example) backend without install or verify.
//   CLI, no format cache : the whole command as a user runs it the first time on a machine
//                          (`create-backend-arch DIR --yes --no-install --no-verify --no-git`), a fresh Node
//                          process each run, prettier's content cache disabled;
//   CLI, format cache    : the same with the cache primed by one earlier generation (any later run);
//   in-process           : generateProject + commit in an already-loaded process, cache disabled.
// Side by side with create-t3-app 7.40 (PRODUCT.md: a first run no slower than create-t3-app generating
// its 25 files), alternating runs, when it is installed — never a dependency of ours:
//   npm install --prefix /tmp/t3 create-t3-app@7.40.0
//   CREATE_T3_APP_DIR=/tmp/t3 npm run bench
// Without it the comparison is skipped with a note. `--quick` (CI): 1 run each, proves the bench works.
// BENCH_BASELINE=DIR (a checkout of another commit, built, with node_modules): its first runs join the
// alternating rounds, and the per-round ratio this build / that one is printed.
// Run: npm run bench (BENCH_RUNS, default 7). BENCH_CPU_PROF=DIR: one more first run, not timed, under
// node --cpu-prof (a profile for the main thread, and one for the formatter thread if a file needed prettier, land in DIR; read them
// with `node bench/profile-summary.js DIR`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const runs = quick ? 1 : Number(process.env.BENCH_RUNS ?? 7);
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (o) => `min ${o.min.toFixed(0)} ms, median ${o.median.toFixed(0)} ms, max ${o.max.toFixed(0)} ms`;

const loadAtStart = loadavg()[0];
const work = mkdtempSync(path.join(tmpdir(), 'cba-bench-'));
let files = 0;
function cli(label, env, nodeArgs = [], from = root) {
  const dir = path.join(work, `${label}-${Math.random().toString(36).slice(2)}`);
  const t0 = performance.now();
  const out = execFileSync(process.execPath, [...nodeArgs, path.join(from, 'bin/create-backend-arch.js'), dir, '--yes', '--no-install', '--no-verify', '--no-git', '--json'], {
    env: { ...process.env, CI: '1', ...env },
  });
  files = JSON.parse(out.toString()).files.length;
  return performance.now() - t0;
}

const noCache = { CREATE_BACKEND_ARCH_CACHE: 'off' };
const cached = { XDG_CACHE_HOME: path.join(work, 'cache') };

// create-t3-app, as its docs run it without prompts; its own files counted from what it wrote.
const t3Dir = process.env.CREATE_T3_APP_DIR;
const t3Bin = t3Dir ? path.join(path.resolve(t3Dir), 'node_modules/create-t3-app/dist/index.js') : null;
const T3_ARGS = ['--CI', '--noGit', '--noInstall', '--trpc', '--prisma', '--tailwind', '--dbProvider', 'postgres', '--appRouter'];
let t3Files = 0;
function t3() {
  const cwd = mkdtempSync(path.join(work, 't3-'));
  const t0 = performance.now();
  execFileSync(process.execPath, [t3Bin, 'app', ...T3_ARGS], { cwd, env: { ...process.env, CI: '1' }, stdio: 'ignore' });
  const ms = performance.now() - t0;
  t3Files = countFiles(path.join(cwd, 'app'));
  return ms;
}
function countFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

const uncachedRuns = [];
const t3Runs = [];
const baselineRuns = [];
const baseline = process.env.BENCH_BASELINE ? path.resolve(process.env.BENCH_BASELINE) : null;
// Each round runs every tool once, the order rotating from round to round.
const tools = [() => uncachedRuns.push(cli('nocache', noCache))];
if (t3Bin && existsSync(t3Bin)) tools.push(() => t3Runs.push(t3()));
if (baseline) tools.push(() => baselineRuns.push(cli('baseline', noCache, [], baseline)));
if (tools.length > 1) {
  // warm-up: the OS file cache for every tool
  if (t3Bin && existsSync(t3Bin)) t3();
  cli('warm', noCache);
  if (baseline) cli('warm', noCache, [], baseline);
}
for (let i = 0; i < runs; i++) for (let k = 0; k < tools.length; k++) tools[(k + i) % tools.length]();
const profileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : null;
if (profileDir) cli('profiled', noCache, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
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

console.log(`generate the default backend (${files} files, no install), ${runs} runs each; load average ${loadAtStart.toFixed(2)} at the start, ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end`);
console.log(`  CLI, no format cache (first run on a machine): ${fmt(stats(uncachedRuns))}`);
console.log(`  CLI, format cache primed (later runs)         : ${fmt(stats(cachedRuns))}`);
console.log(`  in-process, no cache (process already loaded) : ${fmt(stats(inProcess))}`);
if (profileDir) console.log(`  CPU profiles of one more first run (main thread; formatter thread if started): node bench/profile-summary.js ${profileDir}`);
if (t3Runs.length) {
  const ratios = uncachedRuns.map((ms, i) => ms / t3Runs[i]);
  const r = stats(ratios);
  console.log(`  create-t3-app 7.40 (${t3Files} files, alternating): ${fmt(stats(t3Runs))}`);
  console.log(`  first run / create-t3-app, per pair: median ${r.median.toFixed(2)}× (spread ${r.min.toFixed(2)}–${r.max.toFixed(2)}); cached / create-t3-app (medians): ${(stats(cachedRuns).median / stats(t3Runs).median).toFixed(2)}×`);
  console.log(`  target ≤ 1.00× create-t3-app on a first run: ${r.median <= 1 ? 'met' : 'NOT met'}`);
  if (baseline) {
    const b = stats(baselineRuns.map((ms, i) => ms / t3Runs[i]));
    console.log(`  baseline ${baseline} first run / create-t3-app, per round: median ${b.median.toFixed(2)}× (spread ${b.min.toFixed(2)}–${b.max.toFixed(2)})`);
  }
}
if (baseline) {
  const b = stats(uncachedRuns.map((ms, i) => ms / baselineRuns[i]));
  console.log(`  baseline ${baseline}, first run: ${fmt(stats(baselineRuns))}; this build / baseline, per round: median ${b.median.toFixed(2)}× (spread ${b.min.toFixed(2)}–${b.max.toFixed(2)})`);
}
if (!t3Runs.length) {
  console.log('  create-t3-app comparison skipped: set CREATE_T3_APP_DIR to a folder where create-t3-app@7.40.0 is installed');
  console.log('  (npm install --prefix /tmp/t3 create-t3-app@7.40.0); it is never a dependency of this project.');
}
