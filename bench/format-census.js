#!/usr/bin/env node
// How much of prettier's work at generation is needed: renders the monolith for the built-in example and
// the test fixture specs (every optional feature on), formats every file prettier would format, and
// lists the files whose rendered text prettier changes (changed lines, bytes), per spec, plus the time
// prettier takes per language on a cold and on a warm run in this process.
// A file that is already a fixed point for every spec is one whose formatting could become a safety net
// rather than a cost — but only when its template prints formatted code whatever the spec says (a
// template whose output is a fixed point for one spec and not for another cannot be skipped).
// Run: npm run build && node bench/format-census.js [spec.yaml ...]
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) => import(path.join(root, 'dist', p));
const { loadSpecFile } = await load('domain/load.js');
const { EXAMPLE_SPEC_PATH, GENERATOR_VERSION } = await load('core/version.js');
const { resolveBlueprint } = await load('blueprints/registry.js');
const { planProject } = await load('plan/plan.js');
const { planInputFrom } = await load('plan/input.js');
const { loadBlueprint, renderUnits } = await load('render/templates.js');
const { formatBatch } = await load('pipeline/prettier-format.js');

const FORMATTED = /\.(ts|mts|cts|js|mjs|cjs|json|md|ya?ml)$/; // as generators/pipeline/format.ts
const specs = process.argv.slice(2).length
  ? process.argv.slice(2)
  : [EXAMPLE_SPEC_PATH, path.join(root, 'test/fixtures/specs/shop.yaml'), path.join(root, 'test/fixtures/specs/notes.yaml')];
const blueprint = await resolveBlueprint('monolith-cache', { from: root, what: 'bench' });
const features = ['docker', 'ci', 'monitoring', 'loadtest'];
const language = (file) => file.split('.').pop().replace('yaml', 'yml');
const changedLines = (a, b) => {
  const before = new Set(a.split('\n'));
  return b.split('\n').filter((line) => !before.has(line)).length;
};

const loaded = await loadBlueprint(blueprint);
const stableEverywhere = new Map(); // template → every file it rendered, for every spec so far, is a fixed point
let cold = true;
for (const specPath of specs) {
  const spec = await loadSpecFile(specPath);
  const answers = { name: 'census', blueprint: 'monolith-cache', packageManager: 'npm', features };
  const plan = planProject(planInputFrom(answers, spec, GENERATOR_VERSION), blueprint);
  const units = renderUnits(loaded, plan);
  const files = new Map(units.map((u) => [u.path, u.render()]));
  const config = JSON.parse(files.get('.prettierrc.json') ?? '{}');
  const jobs = units
    .filter((u) => FORMATTED.test(u.path) && !u.verbatim && !u.path.endsWith('package-lock.json'))
    .map((u) => ({ file: u.path, template: u.template, source: files.get(u.path) }));
  const verbatim = units.filter((u) => u.verbatim).length;
  const times = new Map();
  const changed = [];
  for (const job of jobs) {
    const t0 = performance.now();
    const [formatted] = await formatBatch([job], config);
    const ms = performance.now() - t0;
    times.set(language(job.file), (times.get(language(job.file)) ?? 0) + ms);
    const fixed = formatted.source === job.source;
    stableEverywhere.set(job.template, (stableEverywhere.get(job.template) ?? true) && fixed);
    if (!fixed) changed.push({ file: job.file, lines: changedLines(job.source, formatted.source), bytes: job.source.length });
  }
  const bytes = (list) => list.reduce((n, j) => n + (j.bytes ?? j.source.length), 0);
  console.log(`${path.relative(root, specPath)}: ${files.size} files, ${verbatim} copied verbatim (stored formatted), ${jobs.length} formatted at generation`);
  console.log(`  prettier changes ${changed.length} of them (${bytes(changed)} of ${bytes(jobs)} bytes)`);
  console.log(`  prettier time by language (${cold ? 'cold: the first files of the process' : 'warm'}): ${[...times].map(([l, ms]) => `${l} ${ms.toFixed(0)} ms`).join(', ')}`);
  for (const c of changed.sort((a, b) => b.lines - a.lines)) console.log(`    ${String(c.lines).padStart(4)} lines  ${c.file}`);
  cold = false;
}
const stable = [...stableEverywhere].filter(([, fixed]) => fixed).map(([template]) => template);
console.log(`templates whose every output above is a fixed point (${stable.length} of ${stableEverywhere.size}): ${stable.join(', ') || 'none'}`);
