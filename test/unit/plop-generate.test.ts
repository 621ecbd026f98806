/**
 * `backend-arch generate`: the generators of a pack's plopfile, run with real node-plop on real files in a
 * project generated from the fixture pack test/fixtures/packs/plop-notes (which extends the gateway-services
 * fixture blueprint, so generation is quick). Listing; a run with --answer values (built-in add and append,
 * our render-ejs printing the plan); --dry-run writes nothing; a failing action leaves the project
 * byte-identical; no terminal + a missing answer is exit 2 naming the prompt; a file with uncommitted
 * edits is not changed without --force. The import graph of `new` is checked in test/packs/plop-lazy.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { git, gitInitCommit } from '../support/git.js';

const PACK = path.resolve('test/fixtures/packs/plop-notes');

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'cba-plop-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function cli(argv: string[], dir: string, as: 'backend-arch' | 'create-backend-arch' = 'backend-arch') {
  try {
    return await runCli(argv, { cwd: dir, as });
  } finally {
    process.exitCode = undefined;
  }
}

/** A project from the fixture pack, committed in git (the way back the generator requires). */
async function project(name: string): Promise<string> {
  const run = await cli([name, '--yes', '--pack', PACK, '--no-install', '--no-verify', '--no-git'], cwd, 'create-backend-arch');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const dir = path.join(cwd, name);
  gitInitCommit(dir);
  return dir;
}

/** Every file of the project (but .git) with its sha256: "byte-identical" is this map being equal. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, full);
    if (rel.startsWith('.git')) continue;
    out[rel] = e.isFile() ? createHash('sha256').update(await readFile(full)).digest('hex') : 'dir';
  }
  return out;
}

describe('generate: a pack plopfile run in a generated project', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project('blog');
  });

  it('lists the generators with their descriptions and where they come from', async () => {
    const run = await cli(['generate', '--dir', dir], cwd);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/note\s+a note about one service, and its entities from the plan\s+\(pack plop-notes\)/);
    expect(run.stdout).toContain('half');
    expect(run.stdout).toContain('readme-footer');
  });

  it('--dry-run prints the plan of files and writes nothing', async () => {
    const before = await snapshot(dir);
    const run = await cli(['generate', 'note', '--answer', 'service=author', '--dry-run'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Dry run: generator note would write 3 file(s)');
    expect(run.stdout).toMatch(/create\s+docs\/notes\/author\.md/);
    expect(run.stdout).toMatch(/create\s+docs\/notes\/author-entities\.md/);
    expect(run.stdout).toMatch(/update\s+README\.md/);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('runs with --answer values: add, append and render-ejs (the plan printed with our escapers)', async () => {
    const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
    const run = await cli(['generate', 'note', '--answer', 'service=author'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Generator note (pack plop-notes) wrote 3 file(s)');
    expect(await readFile(path.join(dir, 'docs/notes/author.md'), 'utf8')).toBe('# Author\n\nNotes about the author service.\n');
    const entities = await readFile(path.join(dir, 'docs/notes/author-entities.md'), 'utf8');
    expect(entities).toContain('# Entities of blog (for author)');
    expect(entities).toMatch(/- author \(table author\)/);
    expect(entities).toMatch(/- post \(table post\)/);
    expect(await readFile(path.join(dir, 'README.md'), 'utf8')).toBe(`${readme}\n- [author](docs/notes/author.md)`);
    // Nothing recorded beyond what the generator wrote; no staging left in the project.
    expect(git(dir, 'status', '--porcelain')).toBe(' M README.md\n?? docs/notes/\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'note');
  });

  it('a confirm answer is converted (no → the README is not touched); a bad value is refused', async () => {
    const run = await cli(['generate', 'note', '--answer', 'service=post', '--answer', 'listed=no'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrote 2 file(s)');
    expect(git(dir, 'status', '--porcelain')).toBe('?? docs/notes/post-entities.md\n?? docs/notes/post.md\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'note post');
    const bad = await cli(['generate', 'note', '--answer', 'service=Bad Name'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--answer service=Bad Name: a kebab-case service name');
  });

  it('a failing action (abortOnFail) leaves the project byte-identical and names generator, action and file', async () => {
    const before = await snapshot(dir);
    const run = await cli(['generate', 'half'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Generator "half"');
    expect(run.stderr).toContain('action(s) failed; nothing was written');
    expect(run.stderr).toMatch(/action add.*File already exists[\s\S]*README\.md/);
    expect(run.stderr).not.toContain('backend-arch-generate-');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('without a terminal, a prompt with neither an answer nor a default is exit 2 naming it; nothing written', async () => {
    const before = await snapshot(dir);
    const run = await cli(['generate', 'note'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Generator "note": missing answer for prompt "service"');
    expect(run.stderr).toContain('--answer service=…  (Which service the note is about)');
    expect(await snapshot(dir)).toEqual(before);
    const unknown = await cli(['generate', 'note', '--answer', 'servce=x'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no prompt "servce". Its prompts: service, listed.');
  });

  it('a file with uncommitted edits is not changed silently: refused naming it, --force accepts', async () => {
    const readme = path.join(dir, 'README.md');
    const edited = `${await readFile(readme, 'utf8')}\nMy own line.\n`;
    await writeFile(readme, edited);
    const before = await snapshot(dir);
    const run = await cli(['generate', 'readme-footer'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The generator would change README.md, which has uncommitted changes; nothing was written.');
    expect(await snapshot(dir)).toEqual(before);
    const forced = await cli(['generate', 'readme-footer', '--force'], dir);
    expect(forced.code).toBe(0);
    expect(await readFile(readme, 'utf8')).toBe(`${edited}\n---\nGenerated with a plop generator.\n`);
  });

  it('create-backend-arch generate is the same command; an unknown generator names the ones there are', async () => {
    const run = await cli(['generate', 'nope', '--dir', dir], cwd, 'create-backend-arch');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No generator "nope". This project\'s generators: note, half, readme-footer.');
  });
});

describe('generate outside git', () => {
  it('a file that is not as generated is refused (no way back); an unchanged generated file is edited', async () => {
    const run0 = await cli(['plain', '--yes', '--pack', PACK, '--no-install', '--no-verify', '--no-git'], cwd, 'create-backend-arch');
    expect(run0.code).toBe(0);
    const dir = path.join(cwd, 'plain');
    const ok = await cli(['generate', 'readme-footer'], dir);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const before = await snapshot(dir);
    const again = await cli(['generate', 'readme-footer'], dir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('README.md, which is not as create-backend-arch generated it');
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('the exercise generator of `pack new` and of the workshop pack', () => {
  it('pack new scaffolds a plopfile; in a project from it, `generate exercise` writes the sheet (plan printed) and a formatted test stub', async () => {
    const made = await cli(['pack', 'new', 'hello-pack'], cwd);
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('plopfile.js');
    expect(made.stdout).toContain('generators/exercise.md.ejs');
    // Copied as is: the plopfile's EJS is rendered by `generate`, not by `pack new`.
    expect(await readFile(path.join(cwd, 'hello-pack/generators/exercise.md.ejs'), 'utf8')).toContain('<%- esc.markdown(answers.exercise) %>');
    const created = await cli(['student', '--yes', '--pack', './hello-pack', '--no-install', '--no-verify', '--no-git'], cwd, 'create-backend-arch');
    expect(created.stderr).toBe('');
    const dir = path.join(cwd, 'student');
    const listed = await cli(['generate'], dir);
    expect(listed.stdout).toMatch(/exercise\s+start an exercise.*\(pack hello-pack\)/);
    const run = await cli(['generate', 'exercise', '--answer', 'exercise=1-alert-on-429'], dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const sheet = await readFile(path.join(dir, 'docs/exercises/1-alert-on-429.md'), 'utf8');
    expect(sheet).toContain('# Exercise 1-alert-on-429: Alert when clients are being rate limited');
    expect(sheet).toMatch(/- `\w+` \(table `\w+`\)/);
    const stub = await readFile(path.join(dir, 'test/unit/exercise-1-alert-on-429.test.ts'), 'utf8');
    expect(stub).toContain("it.todo('shows the exercise is solved');");
    const prettier = await import('prettier');
    const config = JSON.parse(await readFile(path.join(dir, '.prettierrc.json'), 'utf8'));
    expect(await prettier.check(stub, { ...config, filepath: 'x.ts' })).toBe(true);
    const wrong = await cli(['generate', 'exercise', '--answer', 'exercise=9-nope'], dir);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--answer exercise=9-nope: expected one of 1-alert-on-429.');
  });

  it('the rental workshop lists its exercise generator with its three exercises as choices', async () => {
    const created = await cli(['rental', '--yes', '--pack', path.resolve('packs/rental-workshop'), '--no-install', '--no-verify', '--no-git'], cwd, 'create-backend-arch');
    expect(created.stderr).toBe('');
    const dir = path.join(cwd, 'rental');
    const run = await cli(['generate', 'exercise', '--answer', 'exercise=4-nope', '--dry-run'], dir);
    expect(run.stderr).toContain('expected one of 1-overdue-index, 2-invoice-job, 3-rental-rate-limit.');
    const dry = await cli(['generate', 'exercise', '--answer', 'exercise=2-invoice-job', '--dry-run'], dir);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/create\s+docs\/exercises\/2-invoice-job\.md/);
    expect(dry.stdout).toMatch(/create\s+test\/unit\/exercise-2-invoice-job\.test\.ts/);
  });
});
