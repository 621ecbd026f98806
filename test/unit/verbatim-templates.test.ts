/**
 * A template without `.ejs` is copied verbatim into every project, so it must already be what the project's own
 * `prettier --check` accepts (the generated project's CI runs it). Found the hard way: a rename in a verbatim
 * file pushed one line past the print width and only the e2e format:check noticed.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

const ROOT = 'blueprints';
const FORMATTED = /\.(ts|js|mjs|json|ya?ml|md)$/;

async function verbatimTemplates(): Promise<string[]> {
  const out: string[] = [];
  for (const blueprint of await readdir(ROOT)) {
    const dir = path.join(ROOT, blueprint, 'templates');
    const files = await readdir(dir, { recursive: true }).catch(() => []);
    for (const f of files.map(String)) {
      const base = path.basename(f);
      if (FORMATTED.test(f) && !base.startsWith('_')) out.push(path.join(dir, f));
    }
  }
  return out;
}

describe('verbatim templates', () => {
  it('are prettier-formatted with the generated projects’ config', async () => {
    const config = JSON.parse(await readFile(path.join(ROOT, '_shared/templates/_prettierrc.json'), 'utf8')) as prettier.Options;
    const files = await verbatimTemplates();
    expect(files.length).toBeGreaterThan(20);
    const unformatted: string[] = [];
    for (const file of files) {
      if (!(await prettier.check(await readFile(file, 'utf8'), { ...config, filepath: file }))) unformatted.push(file);
    }
    expect(unformatted).toEqual([]);
  });
});
