/**
 * `backend-arch generate [generator] [--answer key=value …] [--dry-run]`: runs a generator from the
 * plopfile of the project's pack or blueprint (generators/plop/run.ts); without a name, lists them.
 * node-plop is imported only when this command runs.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Io } from '../cli/io.js';
import { UserError } from '../core/errors.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface GenerateFlags {
  dir?: string;
  answer?: string[];
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

export function registerGenerateCommand(program: Command, io: Io): void {
  program
    .command('generate')
    .description("Run a generator of the project's pack or blueprint (a node-plop plopfile); without a name, list them")
    .argument('[generator]', 'the generator to run')
    .option('--dir <dir>', 'the project directory (default: the current directory)')
    .option('--answer <key=value>', "an answer to one of the generator's prompts (repeatable); required for each prompt without a default when there is no terminal", collect)
    .option('--dry-run', 'print the files the generator would create, update or delete, and write nothing')
    .option('--force', 'let the generator change files that have uncommitted (or, outside git, unrecorded) edits')
    .option('--json', 'print a machine-readable result')
    .action(async (name: string | undefined, flags: GenerateFlags) => runGenerateCommand(io, name, flags));
}

export async function runGenerateCommand(io: Io, name: string | undefined, flags: GenerateFlags): Promise<void> {
  const dir = path.resolve(io.cwd, flags.dir ?? '.');
  const { listGenerators, runGenerator } = await import('../plop/run.js');
  if (name === undefined) {
    if (flags.answer?.length) throw new UserError('--answer needs a generator name: backend-arch generate NAME --answer key=value.');
    const list = await listGenerators(dir);
    if (flags.json) return io.out(JSON.stringify(list, null, 2));
    if (list.length === 0) return io.out("This project's blueprint and pack ship no generators (no plopfile).");
    io.out('Generators (backend-arch generate NAME [--answer key=value …] [--dry-run]):');
    const width = Math.max(...list.map((g) => g.name.length));
    for (const g of list) io.out(`  ${g.name.padEnd(width)}  ${g.description}  (${g.source.kind} ${g.source.name})`);
    return;
  }
  const result = await runGenerator({ dir, generator: name, answers: parseAnswers(flags.answer ?? []), dryRun: flags.dryRun === true, interactive: io.interactive && !flags.json, force: flags.force === true });
  if (flags.json) return io.out(JSON.stringify(result, null, 2));
  const where = path.relative(io.cwd, dir) || '.';
  if (result.files.length === 0) return io.out(`Generator ${name}: nothing to change in ${where}.`);
  io.out(result.dryRun ? `Dry run: generator ${name} would write ${result.files.length} file(s) in ${where} (nothing was written):` : `Generator ${name} (${result.source.kind} ${result.source.name}) wrote ${result.files.length} file(s) in ${where}:`);
  for (const f of result.files) io.out(`  ${f.status.padEnd(7)} ${f.path}`);
}

function parseAnswers(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserError(`--answer ${pair}: expected NAME=VALUE (the prompt's name, then its answer).`);
    const key = pair.slice(0, eq);
    if (key in out) throw new UserError(`--answer ${key} given twice.`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}
