#!/usr/bin/env node
// Where the time goes in V8 CPU profiles (`node --cpu-prof`; BENCH_CPU_PROF=DIR in bench/generate.js and
// bench/runtime.js writes them), without opening DevTools:
//   self time by package (node_modules/<package>, prettier split by plugin file) or by our own file;
//   inclusive time by package and by function (a sample counts once for every distinct frame on its stack).
// One profile per thread: the formatter thread of `create-backend-arch` (started only when a file needs prettier) writes its own.
//   node bench/profile-summary.js DIR|FILE... [--top N] [--match REGEX]   (REGEX filters the inclusive list)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const [, value] = args.splice(i, 2);
  return value;
};
const top = Number(option('--top', 25));
const match = option('--match', undefined);
const files = args.flatMap((arg) =>
  statSync(arg).isDirectory()
    ? readdirSync(arg)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort()
        .map((f) => path.join(arg, f))
    : [arg],
);
if (files.length === 0) {
  console.error('usage: node bench/profile-summary.js DIR|FILE... [--top N] [--match REGEX]');
  process.exit(2);
}

/** The package a frame belongs to, or our own file (relative to dist/), or the V8/Node pseudo-frame. */
function ownerOf({ url, functionName }) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] === 'prettier' ? `prettier:${url.split('/').pop()}` : pkg[1];
  if (url.includes('/dist/')) return `ours:${url.split('/dist/').pop()}`;
  return url || `(${functionName})`;
}
const ms = (us) => (us / 1000).toFixed(1).padStart(8);
const print = (title, counter) => {
  console.log(`  ${title}`);
  for (const [key, us] of [...counter].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms(us)} ms  ${key}`);
};
const add = (counter, key, us) => counter.set(key, (counter.get(key) ?? 0) + us);

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const sampled = new Map();
  profile.samples.forEach((id, i) => add(sampled, id, profile.timeDeltas[i] ?? 0));

  const self = new Map();
  const inclusivePackages = new Map();
  const inclusiveFunctions = new Map();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of sampled) {
    const frame = byId.get(id).callFrame;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    add(self, ownerOf(frame), us);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at).callFrame;
      if (!f.url) continue;
      for (const [counter, key] of [
        [inclusivePackages, ownerOf(f)],
        [inclusiveFunctions, `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`],
      ]) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (!match || new RegExp(match).test(key)) add(counter, key, us);
      }
    }
  }
  console.log(`${path.basename(file)}: ${ms(busy).trim()} ms busy, ${ms(idle).trim()} ms idle`);
  print('self time by package or file', self);
  print('inclusive time by package or file', inclusivePackages);
  print('inclusive time by function', inclusiveFunctions);
}
