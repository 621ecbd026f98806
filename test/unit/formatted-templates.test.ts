/**
 * Templates that print prettier-formatted code (generators/render/formatted-templates.ts): every template of
 * the monolith-cache blueprint and the _shared templates it uses is rendered for every spec fixture and the
 * built-in example, with every optional feature on (npm) and with none (pnpm), and formatted with the
 * projects' prettier config. A certified template whose output prettier changes fails, naming template,
 * spec and the first differing line; so does a template that is a fixed point everywhere but is not listed.
 * Two generated variants of notes.yaml (one-letter and long names) stand for the names no fixture has.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROOT, resolveBlueprint } from '../../generators/blueprints/registry.js';
import { EXAMPLE_SPEC_PATH, GENERATOR_VERSION } from '../../generators/core/version.js';
import { loadSpecFile, parseSpecText } from '../../generators/domain/load.js';
import type { Spec } from '../../generators/domain/schema.js';
import { formatBatch } from '../../generators/pipeline/prettier-format.js';
import { planInputFrom } from '../../generators/plan/input.js';
import { planProject } from '../../generators/plan/plan.js';
import { alignMarkdownTables, certifiedTemplates, looksFormatted, withoutPrettier } from '../../generators/render/formatted-templates.js';
import { loadBlueprint, renderUnits } from '../../generators/render/templates.js';

const FORMATTED = /\.(ts|mts|cts|js|mjs|cjs|json|jsonc|md|ya?ml)$/; // as generators/pipeline/format.ts
const SPECS = 'test/fixtures/specs';
const BLUEPRINT = 'monolith-cache';

async function specs(): Promise<{ name: string; spec: Spec }[]> {
  const out = [{ name: 'built-in example', spec: await loadSpecFile(EXAMPLE_SPEC_PATH) }];
  for (const file of (await readdir(SPECS)).filter((f) => f.endsWith('.yaml') && !f.startsWith('invalid-')).sort())
    out.push({ name: file, spec: await loadSpecFile(path.join(SPECS, file)) });
  const notes = await readFile(path.join(SPECS, 'notes.yaml'), 'utf8');
  const renamed = (note: string, slug: string) => notes.replace(/\bnote\b/g, note).replace(/\bslug\b/g, slug).replace(/^name: notes$/m, `name: ${note.replaceAll('_', '-')}s`);
  out.push({ name: 'notes.yaml, one-letter names', spec: parseSpecText(renamed('n', 's'), 'short.yaml') });
  out.push({ name: 'notes.yaml, long names', spec: parseSpecText(renamed('annotation_with_a_rather_long_name', 'identifier_used_in_public_links'), 'long.yaml') });
  return out;
}

const ANSWERS = [
  { label: 'all features, npm', packageManager: 'npm' as const, features: ['docker', 'ci', 'monitoring', 'loadtest'] },
  { label: 'no features, pnpm', packageManager: 'pnpm' as const, features: [] },
];

describe(`${BLUEPRINT} templates print formatted code`, async () => {
  const blueprint = await resolveBlueprint(BLUEPRINT, { from: process.cwd(), what: 'test' });
  const loaded = await loadBlueprint(blueprint);
  const certified = certifiedTemplates(BLUEPRINT, BUILT_IN_ROOT);
  const key = (root: string, source: string) => path.join(root, source);
  const all = await specs();

  it('every certified template exists', () => {
    const known = new Set(loaded.templates.map((t) => key(t.root, t.source)));
    expect([...certified].filter((t) => !known.has(t)).map((t) => path.relative(BUILT_IN_ROOT, t))).toEqual([]);
  });

  // Every rendered file of every case, formatted once (at collection, so any test can run alone).
  const results: { id: string; template: string; written?: string; file: string; spec: string; answers: string; source: string; formatted: string; printWidth: number }[] = [];
  for (const { name, spec } of all) {
    for (const answers of ANSWERS) {
      const plan = planProject(planInputFrom({ name: 'fixed-point', blueprint: BLUEPRINT, ...answers }, spec, GENERATOR_VERSION), blueprint);
      const units = renderUnits(loaded, plan);
      const config = JSON.parse(units.find((u) => u.path === '.prettierrc.json')!.render()) as { printWidth: number };
      const jobs = units.filter((u) => !u.verbatim && FORMATTED.test(u.path) && !u.path.endsWith('package-lock.json'));
      const formatted = await formatBatch(jobs.map((u) => ({ file: u.path, source: u.render() })), config);
      jobs.forEach((unit, i) => {
        const template = loaded.templates.find((t) => t.source === unit.template)!;
        const source = unit.render();
        // What generation writes for a certified template without prettier (undefined: the guard sends it to prettier).
        const written = withoutPrettier(unit.path, source, config.printWidth, template.content);
        results.push({ id: key(template.root, template.source), template: template.content, written, file: unit.path, spec: name, answers: answers.label, source, formatted: formatted[i]!.source, printWidth: config.printWidth });
      });
    }
    it(`${name}: certified templates print what prettier prints`, () => {
      const failures = results
        .filter((r) => r.spec === name && certified.has(r.id) && r.written !== undefined && r.written !== r.formatted)
        .map((r) => `${path.relative(BUILT_IN_ROOT, r.id)} → ${r.file} (${r.spec}, ${r.answers}): ${firstDifference(r.written!, r.formatted)}`);
      expect(failures, 'certified templates whose output prettier changes (and the guard does not catch)').toEqual([]);
    });
  }

  it('every template that is a fixed point for every spec is certified', () => {
    const changed = new Set(results.filter((r) => withoutPrettier(r.file, r.source, Infinity) !== r.formatted).map((r) => r.id));
    const missing = [...new Set(results.map((r) => r.id))].filter((id) => !changed.has(id) && !certified.has(id)).map((id) => path.relative(BUILT_IN_ROOT, id));
    expect(missing, 'add these to generators/render/formatted-templates.ts').toEqual([]);
  });

  // A cost check, not a correctness one: the benchmark's project skips prettier for every certified file
  // (other specs may send a file to prettier, e.g. tasks-saas's 134-column SQL line in src/auth/routes.ts).
  it('the guard passes every certified file of the built-in example', () => {
    const rejected = results.filter((r) => r.spec === 'built-in example' && certified.has(r.id) && r.written === undefined).map((r) => `${r.file} (${r.answers})`);
    expect(rejected).toEqual([]);
  });
});

function firstDifference(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; ; i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: rendered ${JSON.stringify(x[i] ?? '<end of file>')}, prettier ${JSON.stringify(y[i] ?? '<end of file>')}`;
  }
}

describe('the guard and the Markdown table printer', () => {
  const ok = "const a = 'x';\n";
  it('pass formatted text and refuse what prettier would change', () => {
    expect(looksFormatted('a.ts', ok, 120)).toBe(true);
    expect(looksFormatted('a.ts', `const a = '${'x'.repeat(120)}';\n`, 120)).toBe(false); // over the width
    expect(looksFormatted('a.ts', `const a = '${'x'.repeat(120)}';\n`, 120, `const a = '${'x'.repeat(120)}';`)).toBe(true); // printed literally by the template
    expect(looksFormatted('a.ts', `const a = '${'字'.repeat(60)}';\n`, 120)).toBe(false); // wide characters count twice
    expect(looksFormatted('a.ts', "const a = 'it\\'s';\n", 120)).toBe(false); // prettier swaps the quotes
    expect(looksFormatted('a.ts', 'const a = 1; \n', 120)).toBe(false);
    expect(looksFormatted('a.ts', 'const a = 1;\n\n\nconst b = 2;\n', 120)).toBe(false);
    expect(looksFormatted('a.ts', 'const a = 1;', 120)).toBe(false);
    expect(looksFormatted('a.ts', '\tconst a = 1;\n', 120)).toBe(false);
  });

  it('align a table as prettier does, and hand prettier what they cannot see', async () => {
    const table = '| A | Long header |\n| --- | ---: |\n| `x` | 1 |\n| yy — z | 22 |\n';
    const aligned = alignMarkdownTables(table)!;
    const [formatted] = await formatBatch([{ file: 'a.md', source: table }], {});
    expect(aligned).toBe(formatted!.source);
    expect(alignMarkdownTables('| A |\n| --- |\n| a\\_b |\n')).toBeUndefined(); // an escape prettier may drop
    expect(alignMarkdownTables('| A |\n| --- |\n| 表 |\n')).toBeUndefined(); // a wide character
    expect(alignMarkdownTables('| A |\n| --- |\n| a * b |\n')).toBeUndefined(); // a lone * prettier escapes
    expect(alignMarkdownTables('| A | B |\n| --- | --- |\n| a |\n')).toBeUndefined(); // a short row
    expect(withoutPrettier('a.md', 'Text with a\\_b.\n', 120)).toBeUndefined();
  });
});
