/**
 * `backend-arch advise`: the project's context (flags, --answers FILE, prompts on a terminal) → the
 * decision matrix, the recommendation with its reasons and "would change if", capacity and cost at
 * 1×–10×, and the exact command that generates it. `--save FILE` records the context as an answers
 * file for `create-backend-arch --answers FILE` (never over an existing file).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { Io } from '../cli/main.js';
import { advise, type Advice } from '../advise/advice.js';
import { measuredFromReport } from '../advise/capacity.js';
import { QUESTIONS, type AdviceContextInput } from '../advise/context.js';
import { formatAdvice } from '../advise/format.js';
import { contextFromFile, contextFromFlags, promptContext, type ContextFlags } from '../advise/input.js';
import { REPORT_PATH } from '../verify/report.js';

interface AdviseFlags {
  answers?: string;
  project: string;
  save?: string;
  yes?: boolean;
  json?: boolean;
  [flag: string]: unknown;
}

export function registerAdviseCommand(program: Command, io: Io): void {
  const command = program
    .command('advise')
    .description("Recommend a blueprint from the project's context: a decision matrix over the four blueprints by documented rules, capacity and cost at 1×–10×");
  const attribute = new Map<string, string>();
  for (const q of QUESTIONS) {
    const option = new Option(`${q.flag} ${q.arg || '[yes|no]'}`, q.message);
    attribute.set(q.field, option.attributeName());
    command.addOption(option);
  }
  command
    .option('--answers <file>', 'the context as a YAML or JSON file (the fields above by name, or under "context"); flags win')
    .option('--project <dir>', `a generated project: its verify report (${REPORT_PATH}) supplies the measured throughput`, '.')
    .option('--save <file>', 'write the answers (blueprint + context) for `create-backend-arch --answers FILE`; never overwrites a file')
    .option('-y, --yes', 'no prompts: a question not answered takes its stated default')
    .option('--json', 'print the advice as JSON')
    .action(async (flags: AdviseFlags) => {
      const fromFlags = contextFromFlags(Object.fromEntries(QUESTIONS.map((q) => [q.field, flags[attribute.get(q.field)!] as string | boolean | undefined])) as ContextFlags);
      const fromFile = flags.answers ? await contextFromFile(path.resolve(io.cwd, flags.answers), flags.answers) : {};
      let context: AdviceContextInput = { ...fromFile, ...fromFlags };
      const prompter = flags.yes || flags.json ? undefined : await io.prompter();
      if (prompter) context = await promptContext(prompter, context);
      const projectDir = path.resolve(io.cwd, flags.project);
      const report = await readFile(path.join(projectDir, REPORT_PATH), 'utf8').catch(() => undefined);
      const measured = measuredFromReport(report, path.relative(io.cwd, path.join(projectDir, REPORT_PATH)) || REPORT_PATH);
      const advice = advise(context, measured ? { measured } : {});
      const saved = flags.save ? await saveAnswers(path.resolve(io.cwd, flags.save), advice, context) : undefined;
      const savedRel = saved && (path.relative(io.cwd, saved) || saved);
      const cmd = `npx create-backend-arch my-api --blueprint ${advice.generate}${savedRel ? ` --answers ${savedRel}` : ''}`;
      if (flags.json) io.out(JSON.stringify({ ...advice, command: cmd, saved: saved ?? null, given: context }, null, 2));
      else io.out(formatAdvice(advice, cmd, savedRel));
    });
}

/** An answers file for `new`: the blueprint to generate and the context as given (defaults stay defaults). */
async function saveAnswers(file: string, advice: Advice, context: AdviceContextInput): Promise<string> {
  const text = `${JSON.stringify({ blueprint: advice.generate, context }, null, 2)}\n`;
  try {
    await writeFile(file, text, { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UserError(`--save ${file}: the file exists; choose another name (advise never overwrites a file).`);
    throw new UserError(`--save ${file}: cannot write it (${code ?? String(err)}).`);
  }
  return file;
}
