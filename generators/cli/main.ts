/**
 * The command layer: parses flags, wires prompts and progress, runs a command, and maps every error to
 * an exit code in one place. User mistakes print a message (never a stack trace); bugs say they are bugs.
 *   create-backend-arch [dir] [flags]      = backend-arch new [dir] [flags]
 *   backend-arch verify|add|update|generate ...
 *   create-backend-arch generate [name]     = backend-arch generate [name] (a pack's or blueprint's plop generator)
 */
import './zod-config.js'; // first: before any module that builds a zod schema
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { UserError } from '../core/errors.js';
import { GENERATOR_VERSION } from '../core/version.js';
import { ANSWERS_PATH, runNew, type NewOptions, type NewResult } from '../commands/new.js';
import { describeSource, type ResolvedAnswers } from './answers.js';
import { createProgress } from './progress.js';
import { PACKAGE_MANAGER_COMMANDS } from '../plan/package-manager.js';
import { inquirerPrompter, type Prompter } from './prompter.js';
import type { Io } from './io.js';

// The other commands (verify, add, update, advise, pack) load only for backend-arch, and verify's code
// after `new` only when it runs: create-backend-arch --no-verify loads neither.

export interface MainOptions {
  /** Which bin ran: create-backend-arch means `new` is implied. */
  invokedAs: 'create-backend-arch' | 'backend-arch';
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Injected prompts (tests); by default inquirer when interactive. */
  prompter?: Prompter;
  interactive?: boolean;
  /** The environment (PATH for package managers and git, npm_config_user_agent); default process.env. */
  env?: NodeJS.ProcessEnv;
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
    env: options.env ?? process.env,
    prompter: async () => options.prompter ?? (interactive ? inquirerPrompter() : undefined),
  };
  const asCreate = options.invokedAs === 'create-backend-arch';
  const program = buildProgram(io, asCreate, asCreate ? undefined : (await import('./commands.js')).registerLaterCommands);
  try {
    // `create-backend-arch new my-api` is accepted too (the form `backend-arch new my-api` users copy).
    // `create-backend-arch generate …` runs a pack's or blueprint's generator in a project (commands/generate.ts).
    if (asCreate && argv[0] === 'generate') await buildProgram(io, false, (await import('./commands.js')).registerLaterCommands).parseAsync(argv, { from: 'user' });
    else await program.parseAsync(asCreate && argv[0] === 'new' ? argv.slice(1) : argv, { from: 'user' });
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

function buildProgram(io: Io, asCreate: boolean, registerLaterCommands?: (program: Command, io: Io) => void): Command {
  const program = new Command(asCreate ? 'create-backend-arch' : 'backend-arch')
    .description('Generate and check production-shaped backends: indexes from access patterns, an async job pattern, rate limits, monitoring, tests.')
    .version(GENERATOR_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  // create-backend-arch is the `new` command itself (its usage line is the one that works);
  // backend-arch has `new` beside verify, add and update.
  if (asCreate) {
    defineNewCommand(program, io);
    program.addHelpText('after', '\nThe same package has `backend-arch verify|add|update|generate` for generated projects: npx -p create-backend-arch backend-arch --help');
  } else {
    defineNewCommand(program.command('new'), io);
    registerLaterCommands?.(program, io);
  }
  return program;
}

function defineNewCommand(command: Command, io: Io): void {
  command
    .description('Generate a backend (prompts on a terminal; flags, --answers or --yes elsewhere), install it and verify it')
    .argument('[dir]', 'target directory (default: the project name)')
    .option('--name <name>', "project (package) name; default: the spec's name:, else the directory name")
    .option('--blueprint <id|path|package>', 'architecture blueprint: a built-in id (monolith-cache), a blueprint folder (./my-blueprint) or an npm package')
    .option('--pack <path|package>', 'a workshop pack (a folder with pack.json, or an npm package): its blueprint, presets, templates and checks')
    .option('--preset <name>', "one of the pack's presets (a spec and answers to start from); default: its first")
    .option('--spec <file>', 'domain spec (YAML or JSON); default with --yes: the built-in example domain')
    .option('--answers <file>', 'replay a recorded answers file (YAML or JSON), e.g. a project\'s .backend-arch/answers.yaml')
    .addOption(new Option('--package-manager <pm>', 'package manager for the install step (default: the one that ran this command)').choices(['npm', 'pnpm', 'yarn']))
    .option('--features <list>', 'the blueprint\'s optional parts, comma-separated (monolith-cache: docker,ci,monitoring,loadtest), or "none"; default: all')
    .option('-y, --yes', 'accept defaults for every answer not given')
    .option('--no-install', 'do not install dependencies')
    .option('--no-verify', 'do not run the verification checklist afterwards')
    .option('--git', 'initialise a git repository with a first commit (the default)')
    .option('--no-git', 'do not initialise a git repository')
    .option('--dry-run', 'print the files that would be written (create/overwrite) and write nothing')
    .option('--force', 'allow a non-empty target directory (files the generator writes are replaced)')
    .option('--json', 'print a machine-readable result; no progress output')
    .action(async (dir: string | undefined, opts: NewOptions & { json?: boolean }) => {
      const json = opts.json === true;
      const progress = createProgress({ enabled: io.interactive && !json, stream: io.stderr });
      const prompter = await io.prompter();
      const talk = io.interactive && !json;
      if (talk) io.err(`create-backend-arch ${GENERATOR_VERSION}: a production-shaped backend from your domain, checked by an architect's checklist.\n`);
      const verify = opts.verify ? await (await import('../commands/verify.js')).verifyAfterNew(io, json) : undefined;
      const result = await runNew(dir, opts, {
        cwd: io.cwd,
        env: io.env,
        prompter,
        progress,
        ...(verify ? { verify } : {}),
        ...(talk ? { onAnswers: (resolved, targetDir) => io.err(summary(resolved, targetDir, io.cwd)) } : {}),
      });
      printNewResult(result, io, json, opts);
      if (talk && !result.dryRun) io.err(`\nDone. ${shown(io.cwd, path.join(result.dir, 'README.md'))} explains the architecture, the API, the configuration and how to deploy.`);
    });
}

/** Where a path is, as the user would type it from where they ran the command. */
function shown(cwd: string, target: string): string {
  const relative = path.relative(cwd, target);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? target : relative;
}

/** The choices, printed once they are complete and before anything is written. */
function summary(resolved: ResolvedAnswers, targetDir: string, cwd: string): string {
  const { answers, specFile } = resolved;
  return [
    '',
    'Summary:',
    `  directory        ${shown(cwd, targetDir)}`,
    `  package name     ${answers.name} (from ${describeSource(resolved.nameFrom)})`,
    `  domain           ${specFile ? shown(cwd, specFile) : 'the built-in example'}`,
    `  blueprint        ${answers.blueprint}`,
    ...(resolved.blueprint.pack ? [`  pack             ${resolved.blueprint.pack.name} ${resolved.blueprint.pack.version}${resolved.blueprint.pack.source.preset ? `, preset ${resolved.blueprint.pack.source.preset}` : ''}`] : []),
    `  package manager  ${answers.packageManager}`,
    `  optional parts   ${(answers.features ?? []).join(', ') || 'none'}`,
    `  git              ${resolved.git ? 'init + first commit' : 'no'}`,
    '',
  ].join('\n');
}

function printNewResult(result: NewResult, io: Io, json: boolean, opts: NewOptions): void {
  if (json) {
    io.out(JSON.stringify(result, null, 2));
    return;
  }
  const rel = shown(io.cwd, result.dir);
  if (result.dryRun) {
    io.out(`Dry run: ${result.files.length} files would be written to ${rel} (nothing was written):`);
    for (const f of result.files) io.out(`  ${f.status.padEnd(9)} ${f.path}`);
    return;
  }
  const pm = PACKAGE_MANAGER_COMMANDS[result.packageManager];
  io.out(`Created ${rel} (${result.files.length} files; package ${result.answers.name}, from ${describeSource(result.nameFrom)}).`);
  if (result.git?.status === 'committed') io.out(`git: initialised, first commit ${result.git.commit}.`);
  else if (result.git) io.out(`git: ${result.git.status === 'initialised' ? 'initialised, not committed' : 'skipped'}: ${result.git.reason}.`);
  const saved = shown(io.cwd, path.join(result.dir, ANSWERS_PATH));
  io.out(`Answers saved to ${saved}. The same project without questions:`);
  io.out(`  ${reproduceCommand(result, opts, io.cwd, saved)}`);
  io.out('Next steps:');
  if (rel !== '.') io.out(`  cd ${shellQuote(rel)}`);
  if (!result.installed) io.out(`  ${pm.install}`);
  for (const step of result.nextSteps) io.out(`  ${step}`);
}

/**
 * create-better-t-stack's "reproducible command": every answer as a flag, so no question is asked.
 * The project context from "Help me choose" has no flags: then the saved answers file carries it all.
 */
export function reproduceCommand(result: NewResult, opts: NewOptions, cwd: string, savedAnswers: string): string {
  const { answers } = result;
  const postFlags = [...(opts.install ? [] : ['--no-install']), ...(opts.verify ? [] : ['--no-verify'])];
  if (answers.context) return ['npx', `create-backend-arch@${GENERATOR_VERSION}`, shown(cwd, result.dir), '--yes', '--answers', savedAnswers, ...postFlags].map(shellQuote).join(' ');
  const args = [
    `create-backend-arch@${GENERATOR_VERSION}`,
    shown(cwd, result.dir),
    '--yes',
    '--name', answers.name,
    ...(opts.pack ? ['--pack', opts.pack, ...(result.preset ? ['--preset', result.preset] : [])] : ['--blueprint', answers.blueprint]),
    ...(result.specFile ? ['--spec', shown(cwd, result.specFile)] : []),
    '--package-manager', answers.packageManager,
    '--features', (answers.features ?? []).join(',') || 'none',
    ...(result.git ? [] : ['--no-git']),
    ...postFlags,
  ];
  return ['npx', ...args.map(shellQuote)].join(' ');
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
