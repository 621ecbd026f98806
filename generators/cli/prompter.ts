/**
 * Prompts behind an interface, so tests drive them with scripted answers (Yeoman's TestAdapter idea)
 * and never need a terminal. The real implementation is @inquirer/prompts.
 */
/** Why a missing answer is an error rather than a question (said wherever a flag is required). */
export const NO_PROMPT_HINT = 'No prompts are shown without an interactive terminal (or when CI is set).';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
  disabled?: boolean | string;
  checked?: boolean;
}

export interface Prompter {
  input(question: { message: string; default?: string; validate?: (value: string) => true | string | Promise<true | string> }): Promise<string>;
  select<T>(question: { message: string; choices: Choice<T>[]; default?: T }): Promise<T>;
  checkbox<T>(question: { message: string; choices: Choice<T>[] }): Promise<T[]>;
  confirm(question: { message: string; default?: boolean }): Promise<boolean>;
}

export async function inquirerPrompter(): Promise<Prompter> {
  const { input, select, checkbox, confirm } = await import('@inquirer/prompts');
  return {
    input: (q) => input(q),
    select: <T>(q: { message: string; choices: Choice<T>[]; default?: T }) => select<T>(q),
    checkbox: <T>(q: { message: string; choices: Choice<T>[] }) => checkbox<T>(q),
    confirm: (q) => confirm(q),
  };
}
