/**
 * The project's context, as seed 000's "Step 1: Understand Context" asks for it (stack, scale,
 * constraints, team, requirements): one zod schema, and one list of questions that the flags, the
 * answers file, the prompts and the error messages all derive from. Every field is optional in
 * input; a missing answer takes the stated default and the advice says which answers were defaulted.
 */
import { z } from 'zod';

export const TRAFFIC_SHAPES = ['steady', 'spiky', 'idle'] as const;
export type TrafficShape = (typeof TRAFFIC_SHAPES)[number];
export const COMPLIANCE = ['none', 'gdpr', 'hipaa', 'pci-dss', 'soc2'] as const;
export type Compliance = (typeof COMPLIANCE)[number];
export const PROVIDERS = ['aws', 'gcp'] as const;
export type Provider = (typeof PROVIDERS)[number];

const count = () => z.number().int('expected a whole number').min(0, 'expected a number ≥ 0');
const amount = () => z.number().min(0, 'expected a number ≥ 0');

/** The context as given (flags, answers file, prompts): every field optional. */
export const adviceContextSchema = z.strictObject({
  rpsAverage: amount().optional(),
  rpsPeak: amount().optional(),
  users: count().optional(),
  dataGb: amount().optional(),
  dataGrowthGbPerMonth: amount().optional(),
  p95Ms: z.number().positive('expected a latency in ms > 0').optional(),
  traffic: z.enum(TRAFFIC_SHAPES).optional(),
  teamSize: count().min(1, 'expected at least 1 person').optional(),
  teams: count().min(1, 'expected at least 1 team').optional(),
  budgetUsdPerMonth: amount().optional(),
  realtime: z.boolean().optional(),
  compliance: z.array(z.enum(COMPLIANCE)).optional(),
  stack: z.string().min(1).max(80).optional(),
  replacesSystem: z.boolean().optional(),
  provider: z.enum(PROVIDERS).optional(),
});
export type AdviceContextInput = z.output<typeof adviceContextSchema>;
export type AdviceContext = Required<AdviceContextInput>;
export type ContextField = keyof AdviceContext;

/**
 * The defaults a missing answer takes: a small first product (MonolithFirst's starting point), so
 * advice on no answers at all is the advice for a new, small system.
 */
export const CONTEXT_DEFAULTS: AdviceContext = {
  rpsAverage: 20,
  rpsPeak: 60,
  users: 5_000,
  dataGb: 5,
  dataGrowthGbPerMonth: 1,
  p95Ms: 100, // seed 000 Performance Targets: API response time < 100 ms (p95)
  traffic: 'steady',
  teamSize: 4,
  teams: 1,
  budgetUsdPerMonth: 500,
  realtime: false,
  compliance: ['none'],
  stack: 'node',
  replacesSystem: false,
  provider: 'aws',
};

export interface ResolvedContext {
  context: AdviceContext;
  /** Fields that took their default (said in the advice and the decision record). */
  defaulted: ContextField[];
}

export function resolveContext(input: AdviceContextInput = {}): ResolvedContext {
  const defaulted: ContextField[] = [];
  const context = { ...CONTEXT_DEFAULTS } as Record<ContextField, unknown>;
  for (const key of Object.keys(CONTEXT_DEFAULTS) as ContextField[]) {
    const value = input[key];
    if (value === undefined) defaulted.push(key);
    else context[key] = value;
  }
  const resolved = context as AdviceContext;
  // A peak below the average is a typo; the peak is at least the average.
  if (resolved.rpsPeak < resolved.rpsAverage) resolved.rpsPeak = resolved.rpsAverage;
  return { context: resolved, defaulted };
}

type Kind = 'number' | 'integer' | 'boolean' | 'choice' | 'list' | 'text';

export interface Question {
  field: ContextField;
  /** The flag that answers it, e.g. "--rps". */
  flag: string;
  /** Placeholder in --help, e.g. "<n>"; empty for a boolean switch. */
  arg: string;
  kind: Kind;
  message: string;
  choices?: readonly string[];
}

/** One question per context field: flags, prompts and messages derive from this list. */
export const QUESTIONS: readonly Question[] = [
  { field: 'rpsAverage', flag: '--rps', arg: '<n>', kind: 'number', message: 'Expected requests per second, on average' },
  { field: 'rpsPeak', flag: '--peak-rps', arg: '<n>', kind: 'number', message: 'Requests per second at the peak' },
  { field: 'users', flag: '--users', arg: '<n>', kind: 'integer', message: 'Users (registered, or daily active)' },
  { field: 'dataGb', flag: '--data-gb', arg: '<n>', kind: 'number', message: 'Data volume today, in GB' },
  { field: 'dataGrowthGbPerMonth', flag: '--growth-gb', arg: '<n>', kind: 'number', message: 'Data growth, in GB per month' },
  { field: 'p95Ms', flag: '--p95', arg: '<ms>', kind: 'number', message: 'Latency target: p95 in milliseconds' },
  { field: 'traffic', flag: '--traffic', arg: '<shape>', kind: 'choice', choices: TRAFFIC_SHAPES, message: 'Traffic shape (steady, spiky, or idle most of the day)' },
  { field: 'teamSize', flag: '--team-size', arg: '<n>', kind: 'integer', message: 'Engineers working on the backend' },
  { field: 'teams', flag: '--teams', arg: '<n>', kind: 'integer', message: 'Teams that deploy independently' },
  { field: 'budgetUsdPerMonth', flag: '--budget', arg: '<usd>', kind: 'number', message: 'Monthly infrastructure budget, in USD' },
  { field: 'realtime', flag: '--realtime', arg: '', kind: 'boolean', message: 'Real-time needs (websockets, server push)?' },
  { field: 'compliance', flag: '--compliance', arg: '<list>', kind: 'list', choices: COMPLIANCE, message: 'Compliance regimes, comma-separated (none, gdpr, hipaa, pci-dss, soc2)' },
  { field: 'stack', flag: '--stack', arg: '<name>', kind: 'text', message: 'Existing stack (e.g. node, java, python)' },
  { field: 'replacesSystem', flag: '--replaces-system', arg: '', kind: 'boolean', message: 'Does this replace an existing system?' },
  { field: 'provider', flag: '--provider', arg: '<id>', kind: 'choice', choices: PROVIDERS, message: 'Cloud provider for the cost estimate (aws, gcp)' },
];

/** The text a user typed for one question → the value the schema validates (undefined when empty). */
export function parseAnswer(q: Question, raw: string | boolean): unknown {
  if (typeof raw === 'boolean') return raw;
  const text = raw.trim();
  if (text === '') return undefined;
  switch (q.kind) {
    case 'number':
    case 'integer': {
      const n = Number(text.replace(/_/g, ''));
      return Number.isFinite(n) ? n : text; // a string fails the schema with "expected number"
    }
    case 'boolean':
      return /^(y|yes|true|1)$/i.test(text) ? true : /^(n|no|false|0)$/i.test(text) ? false : text;
    case 'list':
      return text.split(',').map((s) => s.trim()).filter(Boolean);
    default:
      return text;
  }
}

/** A context for printing: value and whether it was stated or defaulted. */
export function describeValue(field: ContextField, value: AdviceContext[ContextField]): string {
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (field === 'budgetUsdPerMonth') return `$${value}/month`;
  if (field === 'p95Ms') return `${value} ms`;
  if (field === 'dataGb') return `${value} GB`;
  if (field === 'dataGrowthGbPerMonth') return `${value} GB/month`;
  return String(value);
}
