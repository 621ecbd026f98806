/**
 * `backend-arch pack new NAME` scaffolds a workshop pack that works out of the box (one preset, one
 * template override, one check, and the pack's own tests); `backend-arch pack test [DIR]` runs those
 * tests (generators/packs/test-runner.ts). Exit status of pack test: 0 every step as expected, 1 one
 * was not, 2 bad usage or a bad pack.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import type { Command } from 'commander';
import type { Io } from '../cli/io.js';
import { commitTree, isMissingOrEmpty } from '../core/commit.js';
import { UserError } from '../core/errors.js';
import { Tree } from '../core/tree.js';
import { PACKAGE_ROOT } from '../core/version.js';
import { packNameSchema } from '../packs/manifest.js';

/** The pack `pack new` writes, as templates: `*.ejs` outside templates/ render with { name }; the rest is copied. */
const SCAFFOLD_ROOT = new URL('packs/scaffold/', PACKAGE_ROOT).pathname;

export function registerPackCommand(program: Command, io: Io): void {
  const pack = program.command('pack').description('Author and test workshop packs (presets, template overrides and checks of their own)');
  pack
    .command('new')
    .description('Scaffold a pack: one preset, one template override, one check and its tests (`pack test` passes out of the box)')
    .argument('<name>', 'the pack name (kebab-case; also the prefix of its check ids)')
    .option('--dir <dir>', 'where to write it (default: ./NAME)')
    .action(async (name: string, flags: { dir?: string }) => {
      const dir = path.resolve(io.cwd, flags.dir ?? name);
      const files = await scaffoldPack(name, dir);
      io.out(`Created the pack ${name} in ${path.relative(io.cwd, dir) || '.'} (${files.length} files):`);
      for (const f of files) io.out(`  ${f}`);
      io.out('Next steps:');
      io.out(`  npx backend-arch pack test ${path.relative(io.cwd, dir) || '.'}      # its checks against a fresh and a broken project`);
      io.out(`  npx create-backend-arch my-api --pack ${path.relative(io.cwd, dir).startsWith('.') ? '' : './'}${path.relative(io.cwd, dir)}`);
    });
  pack
    .command('test')
    .description("Run a pack's own tests: generate from it, apply each step's change, and compare every check's outcome with the expected one")
    .argument('[dir]', 'the pack folder', '.')
    .option('--filter <text>', 'only the cases whose name contains this')
    .option('--keep', 'keep the generated projects (their paths are printed)')
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, flags: { filter?: string; keep?: boolean; json?: boolean }) => {
      const { runPackTests } = await import('../packs/test-runner.js');
      const result = await runPackTests({
        dir: path.resolve(io.cwd, dir),
        ...(flags.filter ? { filter: flags.filter } : {}),
        keep: flags.keep === true,
        log: flags.json ? () => undefined : io.out,
        env: io.env,
      });
      if (flags.json) io.out(JSON.stringify(result, null, 2));
      else io.out(`\n${result.pack} ${result.version}: ${result.passed} step(s) as expected, ${result.failed} not.`);
      if (result.failed > 0) process.exitCode = 1;
    });
}

/** Renders the scaffold into a tree and commits it atomically; returns the files written. */
export async function scaffoldPack(name: string, dir: string): Promise<string[]> {
  if (!packNameSchema.safeParse(name).success)
    throw new UserError(`Invalid pack name "${name}": use a lower-case letter, then lower-case letters, digits or - (it prefixes the pack's check ids).`);
  if (!(await isMissingOrEmpty(dir))) throw new UserError(`${dir} is not empty; nothing was written.`, { hint: 'Choose another name or --dir.' });
  const tree = new Tree(dir);
  const entries = await readdir(SCAFFOLD_ROOT, { recursive: true, withFileTypes: true });
  for (const e of entries.filter((x) => x.isFile())) {
    const source = path.relative(SCAFFOLD_ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/');
    const text = await readFile(path.join(SCAFFOLD_ROOT, source), 'utf8');
    // The pack's own templates/ (and generators/, the plopfile's) hold EJS rendered later, by `new` (or `generate`), not now.
    const render = source.endsWith('.ejs') && !source.startsWith('templates/') && !source.startsWith('generators/');
    tree.write(render ? source.slice(0, -4) : source, render ? ejs.render(text, { name }) : text);
  }
  await commitTree(tree);
  return tree.changes().map((c) => c.path).sort();
}
