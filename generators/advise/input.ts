/**
 * The context from its three sources — flags, an answers file, prompts — with the same precedence as
 * `new` (flags > file > prompts > stated defaults). Every bad value is a UserError naming the flag, or
 * the file, line and field.
 */
import { z } from 'zod';
import { InvalidInputError, UserError, type InputIssue } from '../core/errors.js';
import { parseWith, readLocated } from '../domain/located.js';
import type { Prompter } from '../cli/prompter.js';
import { adviceContextSchema, CONTEXT_DEFAULTS, describeValue, parseAnswer, QUESTIONS, type AdviceContextInput, type Question } from './context.js';

/** Flag values as commander gives them, keyed by context field. */
export type ContextFlags = Partial<Record<keyof AdviceContextInput, string | boolean>>;

export function contextFromFlags(flags: ContextFlags): AdviceContextInput {
  const raw: Record<string, unknown> = {};
  for (const q of QUESTIONS) {
    const value = flags[q.field];
    if (value !== undefined) raw[q.field] = parseAnswer(q, value);
  }
  const parsed = adviceContextSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues: InputIssue[] = parsed.error.issues.map((issue) => {
    const q = QUESTIONS.find((x) => x.field === issue.path[0])!;
    return { file: q.flag, path: '', message: `${issue.message} (got ${JSON.stringify(flags[q.field])})` };
  });
  throw new InvalidInputError('flags', issues);
}

/** An answers file holds the context itself, or an answers file of `new` with a `context` field. */
const wrappedSchema = z.looseObject({ context: adviceContextSchema });

export async function contextFromFile(file: string, display: string): Promise<AdviceContextInput> {
  const doc = await readLocated(file, 'answers file', display);
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value))
    throw new UserError(`${display}: expected a mapping of context fields (${QUESTIONS.map((q) => q.field).join(', ')}), or one under "context".`);
  return 'context' in doc.value ? parseWith(wrappedSchema, doc, 'answers file').context : parseWith(adviceContextSchema, doc, 'answers file');
}

function validator(q: Question) {
  return (value: string): true | string => {
    const parsed = adviceContextSchema.shape[q.field].safeParse(parseAnswer(q, value));
    return parsed.success ? true : (parsed.error.issues[0]?.message ?? 'invalid');
  };
}

/** Asks every question not answered yet; an empty answer keeps the stated default (and is recorded as not given). */
export async function promptContext(prompter: Prompter, given: AdviceContextInput): Promise<AdviceContextInput> {
  const out: Record<string, unknown> = { ...given };
  for (const q of QUESTIONS) {
    if (out[q.field] !== undefined) continue;
    const fallback = describeValue(q.field, CONTEXT_DEFAULTS[q.field]);
    if (q.kind === 'choice' || q.kind === 'boolean') {
      const values = q.kind === 'boolean' ? ['no', 'yes'] : [...q.choices!];
      const defaultValue = q.kind === 'boolean' ? (CONTEXT_DEFAULTS[q.field] ? 'yes' : 'no') : String(CONTEXT_DEFAULTS[q.field]);
      const picked = await prompter.select<string>({ message: q.message, choices: values.map((v) => ({ name: v === defaultValue ? `${v} (default)` : v, value: v })), default: defaultValue });
      if (picked !== defaultValue) out[q.field] = parseAnswer(q, picked);
      continue;
    }
    const answer = await prompter.input({ message: `${q.message} [default: ${fallback}; empty keeps it]`, validate: (v) => (v.trim() === '' ? true : validator(q)(v)) });
    const value = parseAnswer(q, answer);
    if (value !== undefined) out[q.field] = value;
  }
  return adviceContextSchema.parse(out);
}
