#!/usr/bin/env node
// Times `backend-arch add resource` into a generated project (no install), the target: < 0.5 s.
//   npm run build && node bench/add.js [runs]
// Prints three figures:
//   - cli:  the whole command as a user runs it (`node bin/backend-arch.js add resource …`), process start included;
//   - cold: runRegen in a fresh process, first call (module loading, prettier warm-up included);
//   - warm: runRegen again in the same process on a fresh copy of the project (median of the runs).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'backend-arch.js');
const runs = Number(process.argv[2] ?? 5);
const work = mkdtempSync(path.join(tmpdir(), 'bench-add-'));
const ARGS = ['resource', 'invoice', '--field', 'number:string', '--field', 'amount_cents:integer', '--field', 'project_id:uuid:ref=project', '--access', 'project_id:created_at-desc'];

try {
  const template = path.join(work, 'template');
  execFileSync(process.execPath, [cli, 'new', template, '--yes', '--no-install', '--no-verify', '--no-git'], { stdio: 'ignore' });
  const copy = (name) => {
    const dir = path.join(work, name);
    cpSync(template, dir, { recursive: true });
    return dir;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  const cliTimes = [];
  for (let i = 0; i < runs; i++) {
    const dir = copy(`cli-${i}`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'add', ...ARGS, '--dir', dir], { encoding: 'utf8' });
    cliTimes.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`add failed: ${r.stderr}${r.stdout}`);
  }

  const { runRegen } = await import(path.join(root, 'dist', 'regen', 'run.js'));
  const { addResourceChange } = await import(path.join(root, 'dist', 'regen', 'spec-change.js'));
  const change = () =>
    addResourceChange('invoice', { fields: ['number:string', 'amount_cents:integer', 'project_id:uuid:ref=project'], access: ['project_id:created_at-desc'] });
  const inProcess = [];
  for (let i = 0; i < runs + 1; i++) {
    const dir = copy(`lib-${i}`);
    const t0 = performance.now();
    await runRegen({ dir, generator: 'resource', change: change() });
    inProcess.push(performance.now() - t0);
  }
  const [cold, ...warm] = inProcess;
  const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;
  console.log(`add resource (no install), ${runs} runs`);
  console.log(`  cli  (process start included): median ${fmt(median(cliTimes))}  min ${fmt(Math.min(...cliTimes))}`);
  console.log(`  cold (first call in a process):  ${fmt(cold)}`);
  console.log(`  warm (same process):            median ${fmt(median(warm))}  min ${fmt(Math.min(...warm))}`);
  console.log(`  target < 0.5 s: ${median(warm) < 500 ? 'met (warm)' : 'NOT met (warm)'}; ${median(cliTimes) < 500 ? 'met' : 'NOT met'} (cli)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
