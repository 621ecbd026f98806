/** Run the CLI in-process with captured output (no terminal, no prompts unless a fake prompter is given). */
import { Writable } from 'node:stream';
import { main } from '../../generators/cli/main.js';
import type { Prompter } from '../../generators/cli/prompter.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  let data = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      data += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => data };
}

export async function runCli(
  argv: string[],
  options: { cwd: string; as?: 'create-backend-arch' | 'backend-arch'; prompter?: Prompter; env?: NodeJS.ProcessEnv },
): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const code = await main(argv, {
    invokedAs: options.as ?? 'create-backend-arch',
    cwd: options.cwd,
    stdout: out.stream as unknown as NodeJS.WritableStream,
    stderr: err.stream as unknown as NodeJS.WritableStream,
    interactive: options.prompter !== undefined,
    ...(options.prompter ? { prompter: options.prompter } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

/** A prompter that answers from a script, in order, and fails on any unexpected question. */
export function scriptedPrompter(script: unknown[]): Prompter & { asked: string[]; choices: Record<string, unknown[]> } {
  const asked: string[] = [];
  const choices: Record<string, unknown[]> = {};
  const next = (message: string) => {
    asked.push(message);
    if (script.length === 0) throw new Error(`unexpected prompt: ${message}`);
    return script.shift();
  };
  return {
    asked,
    choices,
    input: async (q) => {
      const value = next(q.message) as string;
      if (q.validate) {
        const ok = await q.validate(value);
        if (ok !== true) throw new Error(`prompt validation failed: ${ok}`);
      }
      return value;
    },
    select: async <T>(q: { message: string; choices: { value: T }[] }) => {
      choices[q.message] = q.choices.map((c) => c.value);
      return next(q.message) as T;
    },
    checkbox: async <T>(q: { message: string }) => next(q.message) as T[],
    confirm: async (q) => next(q.message) as boolean,
  };
}
