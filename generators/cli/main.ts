/**
 * The command layer: parses flags, wires prompts and progress, runs a command, and maps every error to
 * an exit code in one place. User mistakes print a message (never a stack trace); bugs say they are bugs.
 *   create-backend-arch [dir] [flags]      = backend-arch new [dir] [flags]
 *   backend-arch verify|add|update ...
 */
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { UserError } from '../core/errors.js';
import { GENERATOR_VERSION } from '../core/version.js';
import { runNew, type NewOptions, type NewResult } from '../commands/new.js';
import { createProgress } from './progress.js';
import { PACKAGE_MANAGER_COMMANDS } from '../plan/package-manager.js';
import { inquirerPrompter, type Prompter } from './prompter.js';
import type { Io } from './io.js';
import { registerLaterCommands } from './commands.js';
import { verifyAfterNew } from '../commands/verify.js';

export interface MainOptions {
  /** Which bin ran: create-backend-arch means `new` is implied. */
  invokedAs: 'create-backend-arch' | 'backend-arch';
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Injected prompts (tests); by default inquirer when interactive. */
  prompter?: Prompter;
  interactive?: boolean;
}

export type { Io } from './io.js';

export async function main(argv: string[], options: MainOptions): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const interactive = options.interactive ?? (Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI);
  const io: Io = {
    cwd: options.cwd ?? process.cwd(),
    stderr,
    out: (text) => void stdout.write(`${text}\n`),
    err: (text) => void stderr.write(`${text}\n`),
    interactive,
    prompter: async () => options.prompter ?? (interactive ? inquirerPrompter() : undefined),
  };
  const asCreate = options.invokedAs === 'create-backend-arch';
  const program = buildProgram(io, asCreate);
  try {
    await program.parseAsync(asCreate ? ['new', ...argv] : argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, io);
  }
}

function reportError(err: unknown, io: Io): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2; // commander already printed it
  if (err instanceof UserError) {
    io.err(`error: ${err.message}`);
    if (err.hint) io.err(`hint: ${err.hint}`);
    return err.exitCode;
  }
  if (err instanceof Error && err.name === 'ExitPromptError') {
    io.err('Cancelled; nothing was written.');
    return 130;
  }
  io.err(`internal error (a bug in create-backend-arch ${GENERATOR_VERSION}; please report it): ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.DEBUG && err instanceof Error && err.stack) io.err(err.stack);
  return 70;
}

function buildProgram(io: Io, asCreate: boolean): Command {
  const program = new Command(asCreate ? 'create-backend-arch' : 'backend-arch')
    .description('Generate and check production-shaped backends: indexes from access patterns, an async job pattern, rate limits, monitoring, tests.')
    .version(GENERATOR_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('new', { isDefault: asCreate })
    .description('Generate a backend (prompts on a terminal; flags, --answers or --yes elsewhere), install it and verify it')
    .argument('[dir]', 'target directory (default: the project name)')
    .option('--name <name>', 'project (package) name; default: the directory name')
    .option('--blueprint <id|path|package>', 'architecture blueprint: a built-in id (monolith-cache), a blueprint folder (./my-blueprint) or an npm package')
    .option('--spec <file>', 'domain spec (YAML or JSON); default with --yes: the built-in example domain')
    .option('--answers <file>', 'replay a recorded answers file (YAML or JSON)')
    .addOption(new Option('--package-manager <pm>', 'package manager for the install step').choices(['npm', 'pnpm', 'yarn']))
    .option('--features <list>', 'the blueprint\'s optional parts, comma-separated (monolith-cache: docker,ci,monitoring,loadtest), or "none"; default: all')
    .option('-y, --yes', 'accept defaults for every answer not given')
    .option('--no-install', 'do not install dependencies')
    .option('--no-verify', 'do not run the verification checklist afterwards')
    .option('--dry-run', 'print the files that would be written (create/overwrite) and write nothing')
    .option('--force', 'allow a non-empty target directory (files the generator writes are replaced)')
    .option('--json', 'print a machine-readable result; no progress output')
    .action(async (dir: string | undefined, opts: NewOptions & { json?: boolean }) => {
      const progress = createProgress({ enabled: io.interactive && !opts.json, stream: io.stderr });
      const prompter = await io.prompter();
      const verify = opts.verify ? await verifyAfterNew(io, opts.json === true) : undefined;
      const result = await runNew(dir, opts, { cwd: io.cwd, prompter, progress, ...(verify ? { verify } : {}) });
      printNewResult(result, io, opts.json === true);
    });

  registerLaterCommands(program, io);
  return program;
}

function printNewResult(result: NewResult, io: Io, json: boolean): void {
  if (json) {
    io.out(JSON.stringify(result, null, 2));
    return;
  }
  const relative = path.relative(io.cwd, result.dir);
  const rel = relative === '' ? '.' : relative.startsWith('..') ? result.dir : relative;
  if (result.dryRun) {
    io.out(`Dry run: ${result.files.length} files would be written to ${rel} (nothing was written):`);
    for (const f of result.files) io.out(`  ${f.status.padEnd(9)} ${f.path}`);
    return;
  }
  const pm = PACKAGE_MANAGER_COMMANDS[result.packageManager];
  io.out(`Created ${rel} (${result.files.length} files).`);
  io.out('Next steps:');
  io.out(`  cd ${rel}`);
  if (!result.installed) io.out(`  ${pm.install}`);
  for (const step of result.nextSteps) io.out(`  ${step}`);
}
