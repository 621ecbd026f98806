/**
 * `backend-arch verify [dir]`: the architect's checklist against a generated project, static and
 * dynamic, with a report on the terminal (or JSON with --json) and in docs/verification.md.
 * Exit status: see exitCodeOf() (0 pass, 1 a check failed, 2 usage, 3 checks could not run).
 */
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { Io } from '../cli/io.js';
import { createStatusLine } from '../cli/progress.js';
import { formatText, writeMarkdownReport, REPORT_PATH } from '../verify/report.js';
import { EXIT_CODES_HELP, exitCodeOf, type VerifyReport } from '../verify/types.js';

interface VerifyFlags {
  static?: boolean;
  json?: boolean;
  only?: string;
  report?: boolean;
}

export function registerVerifyCommand(program: Command, io: Io): void {
  program
    .command('verify')
    .description("Check a generated project against the architect's checklist (schema, API, code, jobs, observability, security; then live against PostgreSQL and Redis)")
    .argument('[dir]', 'project directory', '.')
    .option('--static', 'run only the static checks (no servers, no processes)')
    .option('--json', 'print the full result as JSON (for CI)')
    .option('--only <ids>', 'run only these checks: comma-separated ids or id prefixes (e.g. schema.,dynamic.explain); one that matches no check is an error')
    .option('--no-report', `do not write ${REPORT_PATH}`)
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .action(async (dir: string, flags: VerifyFlags) => {
      const report = await verifyProject(io, path.resolve(io.cwd, dir), flags);
      const code = exitCodeOf(report);
      if (code !== 0) process.exitCode = code;
    });
}

async function verifyProject(io: Io, dir: string, flags: VerifyFlags): Promise<VerifyReport> {
  // Loaded on demand: the checks pull in the TypeScript compiler and libpg-query, which every other
  // command (and --help) should not pay for at start-up.
  const { runVerify } = await import('../verify/run.js');
  // Dynamic checks take seconds each, so say which one is running: on a terminal as one line redrawn
  // in place and erased at the end (the report below is the only list); in a log, one line per start.
  const status = io.interactive && !flags.json ? createStatusLine(io.stderr) : undefined;
  const report = await runVerify({
    dir,
    staticOnly: flags.static === true,
    ...(flags.only ? { only: flags.only.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    onProgress: ({ type, check }) => {
      if (flags.json || check.kind !== 'dynamic') return;
      if (type === 'end') status?.clear();
      else if (status) status.show(`… ${check.id}: ${check.title}`);
      else io.err(`… ${check.id}: ${check.title}`);
    },
  });
  let written: string | undefined;
  if (flags.report !== false) written = await writeMarkdownReport(report);
  if (flags.json) io.out(JSON.stringify(report, null, 2));
  else {
    io.out(formatText(report, { color: io.interactive }));
    if (written) io.out(`Report written to ${path.relative(io.cwd, written) || written}`);
  }
  return report;
}

/** Called by `new` after install unless --no-verify: prints the report; a failed check fails `new`. */
export async function verifyAfterNew(io: Io, json: boolean): Promise<(dir: string) => Promise<void>> {
  return async (dir: string) => {
    // With --json, `new` prints its own JSON result on stdout; the checklist goes to the report file
    // and failures to the error below.
    const report = await verifyProject(json ? { ...io, out: io.err } : io, dir, { json: false });
    // A workshop pack's exercises are meant to fail on a fresh project (the student has not solved them yet).
    const failed = report.results.filter((r) => r.status === 'fail' && r.exercise === undefined).map((r) => r.id);
    if (failed.length > 0) {
      throw new UserError(`The generated project fails ${failed.length} verification check(s): ${failed.join(', ')}.`, {
        exitCode: 1,
        hint: `See ${path.join(dir, REPORT_PATH)}; this is a bug in the blueprint, please report it.`,
      });
    }
  };
}
