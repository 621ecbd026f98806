/** Shared helpers for the add/update story tests: generate a project on disk, git, hashing a folder. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commitTree } from '../../generators/core/commit.js';
import { EXAMPLE_SPEC_PATH } from '../../generators/core/version.js';
import { answersSchema } from '../../generators/core/manifest.js';
import { generateProject } from '../../generators/pipeline/generate.js';
import { loadSpecFile } from '../../generators/domain/load.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `regen-${prefix}-`));
}

/** The built-in example project, generated and committed to disk (no install). */
export async function generateExample(dir: string, name = 'acme-tasks'): Promise<void> {
  const spec = await loadSpecFile(EXAMPLE_SPEC_PATH);
  const answers = answersSchema.parse({ name, blueprint: 'monolith-cache' });
  const { tree } = await generateProject({ targetDir: dir, answers, spec });
  await commitTree(tree);
}

export function copyProject(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

export { git, gitInitCommit } from '../support/git.js';

/** path → sha256 of every file under dir (except .git and node_modules). */
export function folderHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      if (name === '.git' || name === 'node_modules') continue;
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else out[r] = createHash('sha256').update(readFileSync(path.join(dir, r))).digest('hex');
    }
  };
  walk('');
  return out;
}

export function read(dir: string, file: string): string {
  return readFileSync(path.join(dir, file), 'utf8');
}
