/** What a command gets from the command layer: where it runs, how it prints, whether it may prompt. */
import type { Prompter } from './prompter.js';

export interface Io {
  cwd: string;
  stderr: NodeJS.WritableStream;
  out: (text: string) => void;
  err: (text: string) => void;
  interactive: boolean;
  env: NodeJS.ProcessEnv;
  prompter: () => Promise<Prompter | undefined>;
}
