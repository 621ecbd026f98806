/**
 * Templates copied verbatim (no .ejs) skip prettier at generation time, so they must be stored exactly
 * as prettier formats them with the blueprint's own config. This keeps generation fast and the output
 * identical to formatting everything.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import prettier from 'prettier';
import { describe, expect, it } from 'vitest';

const FORMATTED = /\.(ts|mts|cts|js|mjs|cjs|json|md|ya?ml)$/;

describe('verbatim templates are stored prettier-formatted', async () => {
  // Every blueprint folder with templates of its own (announced blueprints have only a blueprint.json).
  const blueprints = (await readdir('blueprints', { withFileTypes: true })).filter((d) => d.isDirectory() && existsSync(path.join('blueprints', d.name, 'templates', '_prettierrc.json')));
  for (const blueprint of blueprints) {
    const root = path.join('blueprints', blueprint.name, 'templates');
    const config = JSON.parse(await readFile(path.join(root, '_prettierrc.json'), 'utf8')) as prettier.Options;
    const files = (await readdir(root, { recursive: true })).map(String).filter((f) => FORMATTED.test(f) && !f.endsWith('.ejs'));
    it(`${blueprint.name}: ${files.length} files`, async () => {
      const unformatted: string[] = [];
      for (const file of files) {
        const content = await readFile(path.join(root, file), 'utf8');
        const outputName = file.replace(/(^|\/)_/g, '$1.');
        if (!(await prettier.check(content, { ...config, filepath: outputName }))) unformatted.push(file);
      }
      expect(unformatted, 'run prettier --write on these templates').toEqual([]);
    });
  }
});
