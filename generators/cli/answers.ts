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
import { checkSpecForBlueprint, loadSpecFile } from '../domain/load.js';
import { parseWith, readLocated } from '../domain/located.js';
import type { Spec } from '../domain/schema.js';
import { defaultPackageManager, installedPackageManagers, type PackageManagerId } from './package-managers.js';
import { NO_PROMPT_HINT, type Prompter } from './prompter.js';
import { HELP_ME_CHOOSE, helpMeChoose } from '../advise/choose.js';
// Workshop packs load on use (--pack): their registry brings the check kit and the pack schema.
import type { findPreset, ResolvedPack } from '../packs/registry.js';

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
  /** A workshop pack (folder or npm package) and one of its presets. */
  pack?: string;
  preset?: string;
}

/** An answers file: the same answers, all optional; `spec` is a path relative to the file, or "example". */
export const answersFileSchema = answersSchema
  .partial()
  .extend({
    spec: z.string().min(1).optional(),
    git: z.boolean().optional(),
    blueprint: blueprintRefSchema.optional(),
    pack: blueprintRefSchema.optional(),
    preset: z.string().min(1).optional(),
  });

/** Where the project (package) name came from, in precedence order (said in the summary). */
export type NameSource = '--name' | 'answers file' | 'spec' | 'directory' | 'prompt' | 'default';

export interface ResolvedAnswers {
  answers: Answers;
  /** The blueprint, resolved by the registry (built in, a path or an npm package). */
  blueprint: ResolvedBlueprint;
  spec: Spec;
  /** The spec file used, or undefined for the built-in example. */
  specFile: string | undefined;
  nameFrom: NameSource;
  /** Initialise a git repository with a first commit after writing. */
  git: boolean;
}

/** What flags and an answers file give: any subset of the answers. */
type GivenAnswers = Partial<Omit<Answers, 'blueprint'>> & { spec?: string; git?: boolean; blueprint?: string; pack?: string; preset?: string };

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
  // A pack or a blueprint given (id, path or package) is resolved up front: a mistake stops the run before any question.
  if (given.pack && flags.blueprint)
    throw new UserError(`Both a pack (${given.pack}) and a blueprint (${flags.blueprint}) were given: a pack names the blueprint it extends in its pack.json.`, { hint: 'Drop --blueprint.' });
  if (given.preset && !given.pack) throw new UserError('--preset names a preset of a workshop pack: pass --pack too.');
  let resolved: ResolvedBlueprint | undefined = given.pack
    ? await (await import('../packs/registry.js')).resolvePack(given.pack, { from: ctx.cwd, what: flags.pack ? '--pack' : 'the answers file' })
    : given.blueprint
      ? await resolveBlueprint(given.blueprint, { from: ctx.cwd, what: flags.blueprint ? '--blueprint' : 'the answers file' })
      : undefined;
  // A pack's preset: the spec and answers a student starts from (flags and the answers file still win).
  const preset = resolved?.pack ? await choosePreset(resolved.pack, given.preset, ask) : undefined;
  if (preset) {
    resolved!.pack!.source.preset = preset.preset.name;
    given.spec ??= preset.specFile;
    for (const [key, value] of Object.entries(preset.preset.answers)) (given as Record<string, unknown>)[key] ??= value;
  }

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
  if (!resolved && spec.blueprint)
    resolved = await resolveBlueprint(spec.blueprint, { from: specFile ? path.dirname(path.resolve(ctx.cwd, specFile)) : ctx.cwd, what: `${specFile ?? 'spec'}: blueprint` });

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

  let context = given.context;
  if (!resolved) {
    let id: string | undefined;
    if (ask) {
      const picked = await ask.select<string>({
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
      if (picked === HELP_ME_CHOOSE) ({ blueprint: id, context } = await helpMeChoose(ask));
      else id = picked;
    } else if (flags.yes) id = DEFAULT_BLUEPRINT;
    else missing(`--blueprint ${DEFAULT_BLUEPRINT}`, 'blueprint');
    resolved = await resolveBlueprint(id!, { from: ctx.cwd, what: 'blueprint' });
  }
  const blueprint = resolved;
  if (specFile) await checkSpecForBlueprint(path.resolve(ctx.cwd, specFile), specFile, spec, blueprint);
  const featureIds = blueprint.manifest.features.map((f) => f.id);

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
  if (features !== undefined) {
    const unknown = features.filter((f) => !featureIds.includes(f));
    if (unknown.length)
      throw new UserError(
        `Unknown ${flags.features !== undefined ? '--features' : `feature in ${flags.answers}`} ${unknown.map((u) => `"${u}"`).join(', ')} for blueprint ${blueprint.id}. Expected a comma-separated list of: ${featureIds.join(', ') || '(it has none)'} (or "none").`,
      );
  } else if (ask && featureIds.length > 0)
    features = await ask.checkbox<string>({
      message: 'Optional parts to include',
      choices: blueprint.manifest.features.map((f) => ({ name: f.title, value: f.id, checked: true })),
    });

  // The blueprint's own questions: the answers file's options, a question, or each question's default.
  const givenOptions = given.options ?? {};
  const options: Record<string, string> = {};
  for (const q of blueprint.manifest.questions) {
    let value = givenOptions[q.id];
    if (value === undefined && ask)
      value = q.choices
        ? await ask.select<string>({ message: q.message, choices: q.choices.map((c) => ({ name: c.name ?? c.value, value: c.value })), default: q.default })
        : await ask.input({ message: q.message, default: q.default });
    value ??= q.default;
    if (q.choices && !q.choices.some((c) => c.value === value))
      throw new UserError(`Option "${q.id}" of blueprint ${blueprint.id} must be one of: ${q.choices.map((c) => c.value).join(', ')} (got "${value}").`);
    options[q.id] = value;
  }

  let git = given.git;
  if (git === undefined) git = ask ? await ask.confirm({ message: 'Initialize a git repository with a first commit?', default: true }) : true;

  const answers = answersSchema.parse({
    name,
    blueprint: blueprint.id,
    packageManager,
    features: features ?? featureIds,
    ...(blueprint.manifest.questions.length ? { options } : {}),
    context,
  });
  return { answers, blueprint, spec, specFile: specFile ? path.resolve(ctx.cwd, specFile) : undefined, nameFrom, git };
}

async function choosePreset(pack: ResolvedPack, name: string | undefined, ask: Prompter | undefined): Promise<ReturnType<typeof findPreset>> {
  const presets = pack.manifest.presets;
  if (name === undefined && ask && presets.length > 1)
    name = await ask.select<string>({ message: `Preset of ${pack.title}`, choices: presets.map((p) => ({ name: p.title ? `${p.title} (${p.name})` : p.name, value: p.name })), default: presets[0]!.name });
  return (await import('../packs/registry.js')).findPreset(pack, name);
}

export function describeSource(source: NameSource): string {
  return source === 'spec' ? "the spec's name:" : source === 'directory' ? "the directory's name" : source === 'default' ? 'the default' : source;
}

function validName(value: string): true | string {
  return answersSchema.shape.name.safeParse(value).success
    ? true
    : 'use lower-case letters, digits and -, starting with a letter (it becomes the package name)';
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
  if (flags.blueprint !== undefined) out.blueprint = flags.blueprint;
  if (flags.pack !== undefined) out.pack = flags.pack;
  if (flags.preset !== undefined) out.preset = flags.preset;
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
  if (out.pack && isPathRef(out.pack)) out.pack = path.resolve(path.dirname(file), out.pack);
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
        if (checkBlueprint && spec.blueprint) await resolveBlueprint(spec.blueprint, { from: path.dirname(path.resolve(cwd, value)), what: `${value}: blueprint` });
        return true;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
}
