/**
 * Errors a user can act on. Every failure caused by input (flags, answers, spec, target directory)
 * is a UserError: the CLI prints its message (never a stack trace) and exits with its code.
 * Anything else is a bug and is reported as one.
 */
export class UserError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;
  constructor(message: string, options: { exitCode?: number; hint?: string } = {}) {
    super(message);
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 2;
    this.hint = options.hint;
  }
}

/** One problem in an input file: where it is and what is wrong. */
export interface InputIssue {
  file: string;
  path: string;
  line?: number;
  column?: number;
  message: string;
}

export function formatIssue(issue: InputIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return `${where} ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/** A spec, answers file or manifest that does not validate; lists every issue found, not just the first. */
export class InvalidInputError extends UserError {
  readonly issues: InputIssue[];
  constructor(what: string, issues: InputIssue[]) {
    const lines = issues.map((i) => `  - ${formatIssue(i)}`).join('\n');
    super(`Invalid ${what} (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`);
    this.name = 'InvalidInputError';
    this.issues = issues;
  }
}
