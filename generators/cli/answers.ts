/**
 * Three ways to the same answers: flags, an answers file (--answers), and prompts on a TTY.
 * Precedence: flags > answers file > prompts > defaults (--yes). Without a TTY (or with CI set) no
 * prompt ever runs: a missing required answer is an error that names the flag to pass.
 */
import path from 'node:path';
import { z } from 'zod';
import { BLUEPRINTS, FEATURES, FEATURE_IDS, type BlueprintId, type FeatureId } from '../blueprints/registry.js';
import { UserError } from '../core/errors.js';
import { answersSchema, type Answers } from '../core/manifest.js';
import { EXAMPLE_SPEC_PATH, GENERATOR_VERSION } from '../core/version.js';
import { loadSpecFile } from '../domain/load.js';
import { parseWith, readLocated } from '../domain/located.js';
import type { Spec } from '../domain/schema.js';
import { NO_PROMPT_HINT, type Prompter } from './prompter.js';
import { HELP_ME_CHOOSE, helpMeChoose } from '../advise/choose.js';

export interface NewFlags {
  name?: string;
  blueprint?: string;
  spec?: string;
  answers?: string;
  packageManager?: string;
  features?: string;
  yes?: boolean;
}

/** An answers file: the same answers, all optional; `spec` is a path relative to the file, or "example". */
const answersFileSchema = answersSchema.partial().extend({ spec: z.string().min(1).optional() });

export interface ResolvedAnswers {
  answers: Answers;
  spec: Spec;
  /** The spec file used, or undefined for the built-in example. */
  specFile: string | undefined;
}

export const EXAMPLE = 'example';

export async function resolveAnswers(
  dir: string | undefined,
  flags: NewFlags,
  ctx: { prompter: Prompter | undefined; cwd: string },
): Promise<ResolvedAnswers> {
  const fromFile = flags.answers ? await readAnswersFile(path.resolve(ctx.cwd, flags.answers)) : {};
  const validatedFlags = validateFlags(flags);
  const given = { ...fromFile, ...validatedFlags };
  const { prompter } = ctx;
  const missing = (flag: string, what: string): never => {
    throw new UserError(`Missing ${what}: pass ${flag}${flag === '--name' ? '' : ', or --yes to accept the default'}.`, {
      hint: NO_PROMPT_HINT,
    });
  };

  // Project name: --name, the answers file, the directory's name, or a prompt.
  let name = given.name ?? (dir ? path.basename(path.resolve(ctx.cwd, dir)) : undefined);
  if (name === undefined) {
    if (!prompter) missing('a directory (create-backend-arch my-api) or --name', 'project name');
    name = await prompter!.input({ message: 'Project name', default: 'my-api', validate: (v) => validName(v) });
  }
  const nameProblem = validName(name);
  if (nameProblem !== true) throw new UserError(`Invalid project name "${name}": ${nameProblem}. Pass --name to choose another.`);

  // Domain: --spec FILE, the answers file's spec, a prompt, or the built-in example with --yes.
  let specRef = given.spec;
  if (specRef === undefined) {
    if (prompter && !flags.yes) specRef = await promptDomain(prompter, ctx.cwd);
    else if (flags.yes) specRef = EXAMPLE;
    else missing('--spec FILE', 'domain spec');
  }
  const specFile = specRef === EXAMPLE ? undefined : specRef;
  const spec = specFile ? await loadSpecFile(path.resolve(ctx.cwd, specFile), specFile) : await loadSpecFile(EXAMPLE_SPEC_PATH);

  let blueprint = given.blueprint ?? spec.blueprint;
  let context = given.context;
  if (blueprint === undefined) {
    if (prompter && !flags.yes) {
      const picked = await prompter.select<BlueprintId | typeof HELP_ME_CHOOSE>({
        message: 'Architecture blueprint',
        choices: [{ name: 'Help me choose a blueprint (a few questions: load, traffic, team, budget)', value: HELP_ME_CHOOSE }, ...BLUEPRINTS.map((b) => ({
          name: `${b.title} (${b.id})`,
          value: b.id,
          description: b.summary,
          ...(b.available ? {} : { disabled: '(not available yet)' }),
        }))],
        default: 'monolith-cache',
      });
      if (picked === HELP_ME_CHOOSE) ({ blueprint, context } = await helpMeChoose(prompter));
      else blueprint = picked;
    } else if (flags.yes) blueprint = 'monolith-cache';
    else missing('--blueprint monolith-cache', 'blueprint');
  }
  assertAvailable(blueprint!);

  let packageManager = given.packageManager;
  if (packageManager === undefined && prompter && !flags.yes)
    packageManager = await prompter.select<'npm' | 'pnpm' | 'yarn'>({
      message: 'Package manager',
      choices: (['npm', 'pnpm', 'yarn'] as const).map((pm) => ({ name: pm, value: pm })),
      default: 'npm',
    });

  let features = given.features;
  if (features === undefined && prompter && !flags.yes)
    features = await prompter.checkbox<FeatureId>({
      message: 'Optional parts to include',
      choices: FEATURES.map((f) => ({ name: f.title, value: f.id, checked: true })),
    });

  const answers = answersSchema.parse({ name, blueprint, packageManager, features, context });
  return { answers, spec, specFile: specFile ? path.resolve(ctx.cwd, specFile) : undefined };
}

function validName(value: string): true | string {
  return answersSchema.shape.name.safeParse(value).success
    ? true
    : 'use lower-case letters, digits and -, starting with a letter (it becomes the package name)';
}

function assertAvailable(id: BlueprintId): void {
  const blueprint = BLUEPRINTS.find((b) => b.id === id)!;
  if (!blueprint.available) {
    const available = BLUEPRINTS.filter((b) => b.available).map((b) => b.id);
    throw new UserError(
      `Blueprint "${id}" (${blueprint.title}) is not available yet in create-backend-arch ${GENERATOR_VERSION}. Available: ${available.join(', ')}.`,
    );
  }
}

function validateFlags(flags: NewFlags): Partial<Answers> & { spec?: string } {
  const out: Partial<Answers> & { spec?: string } = {};
  if (flags.name !== undefined) out.name = flags.name;
  if (flags.spec !== undefined) out.spec = flags.spec;
  if (flags.blueprint !== undefined) {
    const known = BLUEPRINTS.map((b) => b.id) as string[];
    if (!known.includes(flags.blueprint))
      throw new UserError(`Unknown --blueprint "${flags.blueprint}". Expected one of: ${known.join(', ')}.`);
    out.blueprint = flags.blueprint as BlueprintId;
  }
  if (flags.packageManager !== undefined) {
    if (!['npm', 'pnpm', 'yarn'].includes(flags.packageManager))
      throw new UserError(`Unknown --package-manager "${flags.packageManager}". Expected one of: npm, pnpm, yarn.`);
    out.packageManager = flags.packageManager as Answers['packageManager'];
  }
  if (flags.features !== undefined) {
    const list = flags.features === 'none' ? [] : flags.features.split(',').map((f) => f.trim()).filter(Boolean);
    const unknown = list.filter((f) => !(FEATURE_IDS as readonly string[]).includes(f));
    if (unknown.length) throw new UserError(`Unknown --features ${unknown.map((u) => `"${u}"`).join(', ')}. Expected a comma-separated list of: ${FEATURE_IDS.join(', ')} (or "none").`);
    out.features = list as FeatureId[];
  }
  return out;
}

async function readAnswersFile(file: string): Promise<Partial<Answers> & { spec?: string }> {
  const doc = await readLocated(file, 'answers file');
  const parsed = parseWith(answersFileSchema, doc, 'answers file');
  const out: Partial<Answers> & { spec?: string } = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  // A spec path in an answers file is relative to that file.
  if (out.spec && out.spec !== EXAMPLE) out.spec = path.resolve(path.dirname(file), out.spec);
  if (out.blueprint) assertAvailable(out.blueprint);
  return out;
}

async function promptDomain(prompter: Prompter, cwd: string): Promise<string> {
  const choice = await prompter.select<'example' | 'file'>({
    message: 'Domain',
    choices: [
      { name: 'Built-in example (teams, projects, tasks; an export job)', value: 'example' },
      { name: 'A spec file (YAML or JSON)', value: 'file' },
    ],
    default: 'example',
  });
  if (choice === 'example') return EXAMPLE;
  return prompter.input({
    message: 'Path to the spec file',
    validate: async (value) => {
      try {
        await loadSpecFile(path.resolve(cwd, value), value);
        return true;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
}
