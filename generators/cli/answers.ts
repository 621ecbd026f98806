/**
 * Three ways to the same answers: flags, an answers file (--answers), and prompts on a TTY.
 * Precedence: flags > answers file > prompts > defaults (--yes). Without a TTY (or with CI set) no
 * prompt ever runs: a missing required answer is an error that names the flag to pass.
 */
import path from 'node:path';
import { z } from 'zod';
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import { blueprintRefSchema } from '../blueprints/manifest.js';
import { DEFAULT_BLUEPRINT, isPathRef, listBuiltIns, resolveBlueprint } from '../blueprints/registry.js';
import { UserError } from '../core/errors.js';
import { answersSchema, type Answers } from '../core/manifest.js';
import { EXAMPLE_SPEC_PATH } from '../core/version.js';
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

/**
 * An answers file: the same answers, all optional; `spec` is a path relative to the file, or "example";
 * `blueprint` may also be a path (relative to the file) or an npm package.
 */
const answersFileSchema = answersSchema.partial().extend({ spec: z.string().min(1).optional(), blueprint: blueprintRefSchema.optional() });

/** Answers as given, before the blueprint is resolved (its ref may be a path or a package). */
type GivenAnswers = Partial<Omit<Answers, 'blueprint'>> & { spec?: string; blueprint?: string };

export interface ResolvedAnswers {
  answers: Answers;
  blueprint: ResolvedBlueprint;
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

  // Blueprint: --blueprint / the answers file (relative to cwd / the file), the spec's (relative to the spec), a prompt, or the default.
  let blueprintRef = given.blueprint;
  let context = given.context;
  let blueprintFrom = ctx.cwd;
  let blueprintWhat = given.blueprint === validatedFlags.blueprint ? '--blueprint' : `answers file ${flags.answers} field "blueprint"`;
  if (blueprintRef === undefined && spec.blueprint !== undefined) {
    blueprintRef = spec.blueprint;
    blueprintFrom = specFile ? path.dirname(path.resolve(ctx.cwd, specFile)) : ctx.cwd;
    blueprintWhat = `${specFile ?? 'spec'} field "blueprint"`;
  }
  if (blueprintRef === undefined) {
    if (prompter && !flags.yes) {
      const picked = await prompter.select<string>({
        message: 'Architecture blueprint',
        choices: [
          { name: 'Help me choose a blueprint (a few questions: load, traffic, team, budget)', value: HELP_ME_CHOOSE },
          ...(await listBuiltIns()).map((b) => ({
            name: `${b.title} (${b.id})`,
            value: b.id,
            description: b.summary,
            ...(b.available ? {} : { disabled: '(not available yet)' }),
          })),
        ],
        default: DEFAULT_BLUEPRINT,
      });
      if (picked === HELP_ME_CHOOSE) ({ blueprint: blueprintRef, context } = await helpMeChoose(prompter));
      else blueprintRef = picked;
    } else if (flags.yes) blueprintRef = DEFAULT_BLUEPRINT;
    else missing(`--blueprint ${DEFAULT_BLUEPRINT}`, 'blueprint');
  }
  const blueprint = await resolveBlueprint(blueprintRef!, { from: blueprintFrom, what: blueprintWhat });
  const featureIds = blueprint.manifest.features.map((f) => f.id);

  let packageManager = given.packageManager;
  if (packageManager === undefined && prompter && !flags.yes)
    packageManager = await prompter.select<'npm' | 'pnpm' | 'yarn'>({
      message: 'Package manager',
      choices: (['npm', 'pnpm', 'yarn'] as const).map((pm) => ({ name: pm, value: pm })),
      default: 'npm',
    });

  let features = given.features;
  if (features !== undefined) {
    const unknown = features.filter((f) => !featureIds.includes(f));
    if (unknown.length)
      throw new UserError(
        `Unknown ${flags.features !== undefined ? '--features' : `feature in ${flags.answers}`} ${unknown.map((u) => `"${u}"`).join(', ')} for blueprint ${blueprint.id}. Expected a comma-separated list of: ${featureIds.join(', ') || '(it has none)'} (or "none").`,
      );
  } else if (prompter && !flags.yes && featureIds.length > 0)
    features = await prompter.checkbox<string>({
      message: 'Optional parts to include',
      choices: blueprint.manifest.features.map((f) => ({ name: f.title, value: f.id, checked: true })),
    });

  // The blueprint's own questions: the answers file's options, a prompt, or each question's default.
  const givenOptions = given.options ?? {};
  const options: Record<string, string> = {};
  for (const q of blueprint.manifest.questions) {
    let value = givenOptions[q.id];
    if (value === undefined && prompter && !flags.yes)
      value = q.choices
        ? await prompter.select<string>({ message: q.message, choices: q.choices.map((c) => ({ name: c.name ?? c.value, value: c.value })), default: q.default })
        : await prompter.input({ message: q.message, default: q.default });
    value ??= q.default;
    if (q.choices && !q.choices.some((c) => c.value === value))
      throw new UserError(`Option "${q.id}" of blueprint ${blueprint.id} must be one of: ${q.choices.map((c) => c.value).join(', ')} (got "${value}").`);
    options[q.id] = value;
  }

  const answers = answersSchema.parse({
    name,
    blueprint: blueprint.id,
    packageManager,
    features: features ?? featureIds,
    ...(blueprint.manifest.questions.length ? { options } : {}),
    context,
  });
  return { answers, blueprint, spec, specFile: specFile ? path.resolve(ctx.cwd, specFile) : undefined };
}

function validName(value: string): true | string {
  return answersSchema.shape.name.safeParse(value).success
    ? true
    : 'use lower-case letters, digits and -, starting with a letter (it becomes the package name)';
}

function validateFlags(flags: NewFlags): GivenAnswers {
  const out: GivenAnswers = {};
  if (flags.name !== undefined) out.name = flags.name;
  if (flags.spec !== undefined) out.spec = flags.spec;
  if (flags.blueprint !== undefined) out.blueprint = flags.blueprint;
  if (flags.packageManager !== undefined) {
    if (!['npm', 'pnpm', 'yarn'].includes(flags.packageManager))
      throw new UserError(`Unknown --package-manager "${flags.packageManager}". Expected one of: npm, pnpm, yarn.`);
    out.packageManager = flags.packageManager as Answers['packageManager'];
  }
  if (flags.features !== undefined) {
    // Checked against the blueprint's declared features once it is resolved.
    out.features = flags.features === 'none' ? [] : flags.features.split(',').map((f) => f.trim()).filter(Boolean);
  }
  return out;
}

async function readAnswersFile(file: string): Promise<GivenAnswers> {
  const doc = await readLocated(file, 'answers file');
  const parsed = parseWith(answersFileSchema, doc, 'answers file');
  const out: GivenAnswers = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  // Paths in an answers file (spec, a blueprint folder) are relative to that file.
  if (out.spec && out.spec !== EXAMPLE) out.spec = path.resolve(path.dirname(file), out.spec);
  if (out.blueprint && isPathRef(out.blueprint)) out.blueprint = path.resolve(path.dirname(file), out.blueprint);
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
