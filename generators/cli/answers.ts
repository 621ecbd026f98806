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
import { defaultPackageManager, installedPackageManagers, type PackageManagerId } from './package-managers.js';
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
  /** --git / --no-git; undefined when neither was given (then: a question, or yes). */
  git?: boolean;
}

/** An answers file: the same answers, all optional; `spec` is a path relative to the file, or "example". */
export const answersFileSchema = answersSchema
  .partial()
  .extend({ spec: z.string().min(1).optional(), git: z.boolean().optional() });

/** Where the project (package) name came from, in precedence order (said in the summary). */
export type NameSource = '--name' | 'answers file' | 'spec' | 'directory' | 'prompt' | 'default';

export interface ResolvedAnswers {
  answers: Answers;
  spec: Spec;
  /** The spec file used, or undefined for the built-in example. */
  specFile: string | undefined;
  nameFrom: NameSource;
  /** Initialise a git repository with a first commit after writing. */
  git: boolean;
}

/** What flags and an answers file give: any subset of the answers. */
type GivenAnswers = Partial<Answers> & { spec?: string; git?: boolean };

export const EXAMPLE = 'example';
/** The project name when nothing names it and --yes accepts the default. */
export const DEFAULT_NAME = 'my-api';

export interface AnswerContext {
  prompter: Prompter | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The install step will run: the package manager must be installed (checked before any question). */
  install: boolean;
}

/**
 * Order: everything given is validated first (flags, answers file, spec and the blueprint it names),
 * so a mistake stops the run before the first question. Then the questions: domain, name, blueprint,
 * package manager, optional parts, git.
 */
export async function resolveAnswers(dir: string | undefined, flags: NewFlags, ctx: AnswerContext): Promise<ResolvedAnswers> {
  const fromFile = flags.answers ? await readAnswersFile(path.resolve(ctx.cwd, flags.answers)) : {};
  const validatedFlags = validateFlags(flags);
  const given = { ...fromFile, ...validatedFlags };
  const { prompter } = ctx;
  const ask = prompter && !flags.yes ? prompter : undefined;
  const missing = (flag: string, what: string): never => {
    throw new UserError(`Missing ${what}: pass ${flag}, or --yes to accept the default.`, { hint: NO_PROMPT_HINT });
  };
  if (given.blueprint) assertAvailable(given.blueprint, flags.blueprint ? '--blueprint' : 'the answers file');

  const installed = await installedPackageManagers(ctx.env);
  if (given.packageManager && ctx.install) assertInstalled(given.packageManager, installed);

  // Domain: --spec FILE, the answers file's spec, a question, or the built-in example with --yes.
  let specRef = given.spec;
  if (specRef === undefined) {
    if (ask) specRef = await promptDomain(ask, ctx.cwd, given.blueprint === undefined);
    else if (flags.yes) specRef = EXAMPLE;
    else missing('--spec FILE', 'domain spec');
  }
  const specFile = specRef === EXAMPLE ? undefined : specRef;
  const spec = specFile ? await loadSpecFile(path.resolve(ctx.cwd, specFile), specFile) : await loadSpecFile(EXAMPLE_SPEC_PATH);
  // A blueprint the spec names is checked now, before any other question (--blueprint overrides it).
  if (!given.blueprint && spec.blueprint) assertAvailable(spec.blueprint, `${specFile}: blueprint`);

  // Project name: --name > answers file > the spec's `name:` > the directory's name > a question > "my-api" with --yes.
  let name: string | undefined = given.name;
  let nameFrom: NameSource = flags.name !== undefined ? '--name' : 'answers file';
  if (name === undefined && specFile && spec.name) [name, nameFrom] = [spec.name, 'spec'];
  if (name === undefined && dir) [name, nameFrom] = [path.basename(path.resolve(ctx.cwd, dir)), 'directory'];
  if (name === undefined) {
    if (ask) [name, nameFrom] = [await ask.input({ message: 'Project name', default: DEFAULT_NAME, validate: (v) => validName(v) }), 'prompt'];
    else if (flags.yes) [name, nameFrom] = [DEFAULT_NAME, 'default'];
    else missing('a directory (create-backend-arch my-api) or --name NAME', 'project name');
  }
  const nameProblem = validName(name!);
  if (nameProblem !== true)
    throw new UserError(`Invalid project name "${name}" (from ${describeSource(nameFrom)}): ${nameProblem}. Pass --name to choose another.`);

  let blueprint = given.blueprint ?? spec.blueprint;
  let context = given.context;
  if (blueprint === undefined) {
    if (ask) {
      const picked = await ask.select<BlueprintId | typeof HELP_ME_CHOOSE>({
        message: 'Architecture blueprint',
        choices: [{ name: 'Help me choose a blueprint (a few questions: load, traffic, team, budget)', value: HELP_ME_CHOOSE }, ...BLUEPRINTS.map((b) => ({
          name: `${b.title} (${b.id})`,
          value: b.id,
          description: b.summary,
          ...(b.available ? {} : { disabled: '(not available yet)' }),
        }))],
        default: 'monolith-cache',
      });
      if (picked === HELP_ME_CHOOSE) ({ blueprint, context } = await helpMeChoose(ask));
      else blueprint = picked;
    } else if (flags.yes) blueprint = 'monolith-cache';
    else missing('--blueprint monolith-cache', 'blueprint');
  }

  // Package manager: only installed ones are offered; the default is the one that launched us.
  let packageManager = given.packageManager;
  if (packageManager === undefined) {
    packageManager = defaultPackageManager(installed, ctx.env);
    if (ask && installed.length > 1)
      packageManager = await ask.select<PackageManagerId>({
        message: 'Package manager',
        choices: installed.map((pm) => ({ name: pm, value: pm })),
        default: packageManager,
      });
    if (ctx.install) assertInstalled(packageManager, installed);
  }

  let features = given.features;
  if (features === undefined && ask)
    features = await ask.checkbox<FeatureId>({
      message: 'Optional parts to include',
      choices: FEATURES.map((f) => ({ name: f.title, value: f.id, checked: true })),
    });

  let git = given.git;
  if (git === undefined) git = ask ? await ask.confirm({ message: 'Initialize a git repository with a first commit?', default: true }) : true;

  const answers = answersSchema.parse({ name, blueprint, packageManager, features, context });
  return { answers, spec, specFile: specFile ? path.resolve(ctx.cwd, specFile) : undefined, nameFrom, git };
}

export function describeSource(source: NameSource): string {
  return source === 'spec' ? "the spec's name:" : source === 'directory' ? "the directory's name" : source === 'default' ? 'the default' : source;
}

function validName(value: string): true | string {
  return answersSchema.shape.name.safeParse(value).success
    ? true
    : 'use lower-case letters, digits and -, starting with a letter (it becomes the package name)';
}

function assertAvailable(id: BlueprintId, from: string): void {
  const blueprint = BLUEPRINTS.find((b) => b.id === id)!;
  if (!blueprint.available) {
    const available = BLUEPRINTS.filter((b) => b.available).map((b) => b.id);
    throw new UserError(
      `Blueprint "${id}" (${blueprint.title}, from ${from}) is not available yet in create-backend-arch ${GENERATOR_VERSION}. Available: ${available.join(', ')}.`,
      { hint: `Pass --blueprint ${available[0]} to generate with it.` },
    );
  }
}

function assertInstalled(pm: PackageManagerId, installed: readonly PackageManagerId[]): void {
  if (!installed.includes(pm))
    throw new UserError(
      `${pm} is not installed (it would install the generated project's dependencies); nothing was written.`,
      { hint: `Installed: ${installed.join(', ') || 'none of npm, pnpm, yarn'}. Pass --package-manager ${installed[0] ?? 'npm'}, or --no-install to install later.` },
    );
}

function validateFlags(flags: NewFlags): GivenAnswers {
  const out: GivenAnswers = {};
  if (flags.name !== undefined) out.name = flags.name;
  if (flags.spec !== undefined) out.spec = flags.spec;
  if (flags.git !== undefined) out.git = flags.git;
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

async function readAnswersFile(file: string): Promise<GivenAnswers> {
  const doc = await readLocated(file, 'answers file');
  const parsed = parseWith(answersFileSchema, doc, 'answers file');
  const out: GivenAnswers = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  // A spec path in an answers file is relative to that file.
  if (out.spec && out.spec !== EXAMPLE) out.spec = path.resolve(path.dirname(file), out.spec);
  return out;
}

/** checkBlueprint: a spec naming a blueprint that is not available is refused at this question. */
async function promptDomain(prompter: Prompter, cwd: string, checkBlueprint: boolean): Promise<string> {
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
        const spec = await loadSpecFile(path.resolve(cwd, value), value);
        if (checkBlueprint && spec.blueprint) assertAvailable(spec.blueprint, `${value}: blueprint`);
        return true;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
}
