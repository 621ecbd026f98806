#!/usr/bin/env node
// Module-load time of the generation pipeline: each run is a fresh Node process that imports the
// compiled dist/pipeline/generate.js (what `new` loads before it renders) and prints how long the import
// took; prints the median of BENCH_RUNS (default 10) runs. Build first (`npm run build`).
// An older build can be measured the same way: node bench/module-load.js path/to/dist/pipeline/generate.js
// (a build that still has getPlop() builds its plop instance too, as its first render did).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const target = pathToFileURL(path.resolve(process.argv[2] ?? path.join(root, 'dist/pipeline/generate.js'))).href;
const runs = Number(process.env.BENCH_RUNS ?? 10);
const probe = `const t0 = performance.now(); const m = await import(${JSON.stringify(target)}); if (m.getPlop) await m.getPlop(); console.log(performance.now() - t0);`;

const times = [];
for (let i = 0; i < runs; i++) times.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', timeout: 60_000 }).trim()));
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`${target}: median ${median.toFixed(1)} ms over ${runs} fresh processes (min ${times[0].toFixed(1)}, max ${times.at(-1).toFixed(1)})`);
