/**
 * Loading a workshop pack: from a folder (`--pack ./workshop`) or an installed npm package
 * (`--pack rental-workshop`), its pack.json validated (an error names the file, the line and the field),
 * its checks module imported, then composed onto the blueprint it extends with the blueprint
 * contract's own machinery: its templates/ folder is one more template folder (a file overrides the
 * parent's with the same path, anything new is added), its questions merge into the blueprint's by id,
 * and its checks join the blueprint's own checklist. The result is a ResolvedBlueprint like any other,
 * so `new`, `update` and `verify` need nothing special beyond finding the pack again.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { CheckKit, ResolvedBlueprint } from '../blueprints/contract.js';
import { isPathRef, NPM_NAME, resolveBlueprint, resolvePackageFolder, resolveRecordedBlueprint } from '../blueprints/registry.js';
import { templateIdentifiers } from '../blueprints/identifiers.js';
import { UserError } from '../core/errors.js';
import { MANIFEST_PATH, type Manifest } from '../core/manifest.js';
import { parseWith, readLocated } from '../domain/located.js';
import { cannotRun, type Check } from '../verify/types.js';
import { checkKit } from '../verify/kit.js';
import { PACK_MANIFEST, packManifestSchema, type Exercise, type PackManifest, type Preset } from './manifest.js';

/** Where a pack came from, as the project's manifest records it (`pack`). */
export interface PackSource {
  name: string;
  kind: 'path' | 'package';
  /** kind path: the folder (relative to the project when recorded); kind package: the package name. */
  ref: string;
  version: string;
  /** The preset the project started from, if any. */
  preset?: string;
}

/** A pack as composed onto its blueprint: what `new` (presets), verify (exercises) and the record need. */
export interface ResolvedPack {
  name: string;
  title: string;
  version: string;
  dir: string;
  source: PackSource;
  manifest: PackManifest & { version: string };
  /** Exercises of this pack and of the packs it extends, parents first. */
  exercises: Exercise[];
  /** The pack's checks (a parent pack's included), each with its exercise. */
  checks: Check[];
}

/** A check as a pack's checks module returns it: a Check whose seed defaults to the exercise it grades. */
export type PackCheck = Omit<Check, 'seed'> & { seed?: Check['seed'] };

/** What a pack's checks module gets: a blueprint checklist's kit, and cannotRun. */
export type PackCheckKit = CheckKit & { cannotRun: typeof cannotRun };
export const packCheckKit: PackCheckKit = { ...checkKit, cannotRun };

/** A pack folder (holds pack.json) rather than a blueprint folder. */
export function isPackDir(dir: string): boolean {
  return existsSync(path.join(dir, PACK_MANIFEST));
}

/**
 * Resolves `--pack`, an answers file's `pack`, or a pack's `extends` naming another pack: a path
 * (relative to `from`) or an installed npm package. Returns the blueprint with the pack composed onto it.
 */
export async function resolvePack(ref: string, options: { from: string; what: string }): Promise<ResolvedBlueprint & { pack: ResolvedPack }> {
  if (isPathRef(ref)) {
    const dir = path.resolve(options.from, ref);
    if (!isPackDir(dir))
      throw new UserError(`${options.what}: no pack at ${dir} (a pack folder holds a ${PACK_MANIFEST}).`, {
        hint: 'Pass the folder that contains pack.json, or the name of an installed npm package that does.',
      });
    return loadPack(dir, { kind: 'path', ref: dir });
  }
  const dir = NPM_NAME.test(ref) ? resolvePackageFolder(ref, PACK_MANIFEST, [options.from, process.cwd()]) : undefined;
  if (!dir)
    throw new UserError(`${options.what}: no pack "${ref}": expected a path to a pack folder (./my-pack) or an installed npm package that contains a ${PACK_MANIFEST}.`, {
      hint: `Install it first (npm install ${ref}), or pass its folder.`,
    });
  return loadPack(dir, { kind: 'package', ref });
}

/** The blueprint a project was generated with, its pack composed on it when the manifest records one. */
export async function resolveProjectBlueprint(manifest: Manifest, project: { dir: string }): Promise<ResolvedBlueprint> {
  const manifestFile = path.join(project.dir, MANIFEST_PATH);
  if (!manifest.pack) return resolveRecordedBlueprint(manifest.blueprint, manifest.blueprintSource, { dir: project.dir, manifestFile });
  const { kind, ref, preset } = manifest.pack;
  const what = `${manifestFile} field "pack"`;
  const resolved = await resolvePack(kind === 'path' && !path.isAbsolute(ref) ? `./${ref}` : ref, { from: project.dir, what });
  if (resolved.id !== manifest.blueprint)
    throw new UserError(`${manifestFile} field "blueprint" says "${manifest.blueprint}", but the pack ${resolved.pack.name} found at ${what} extends "${resolved.id}".`, {
      hint: 'Point "pack" at the pack the project was generated with.',
    });
  if (preset !== undefined) resolved.pack.source.preset = preset;
  return resolved;
}

async function loadPack(dir: string, source: { kind: 'path' | 'package'; ref: string }): Promise<ResolvedBlueprint & { pack: ResolvedPack }> {
  const file = path.join(dir, PACK_MANIFEST);
  const parsed = parseWith(packManifestSchema, await readLocated(file, 'pack manifest'), 'pack manifest');
  const manifest = { ...parsed, version: await packVersion(dir, parsed) };
  const extendsWhat = `${file} field "extends"`;
  const parentDir = isPathRef(manifest.extends) ? path.resolve(dir, manifest.extends) : undefined;
  const parent: ResolvedBlueprint =
    (parentDir && isPackDir(parentDir)) || (!parentDir && NPM_NAME.test(manifest.extends) && resolvePackageFolder(manifest.extends, PACK_MANIFEST, [dir]))
      ? await resolvePack(manifest.extends, { from: dir, what: extendsWhat })
      : await resolveBlueprint(manifest.extends, { from: dir, what: extendsWhat, searchDirs: [dir] });
  for (const [i, preset] of manifest.presets.entries()) {
    if (!existsSync(path.join(dir, preset.spec))) throw new UserError(`Invalid pack manifest ${file}: presets[${i}].spec: no file ${path.join(dir, preset.spec)}.`);
  }
  const exercises = [...(parent.pack?.exercises ?? []), ...manifest.exercises];
  const own = await loadChecks(dir, manifest, exercises);
  const checks = [...(parent.pack?.checks ?? []), ...own];
  const templates = path.join(dir, manifest.templates);
  const pack: ResolvedPack = {
    name: manifest.name,
    title: manifest.title || manifest.name,
    version: manifest.version,
    dir,
    source: { name: manifest.name, kind: source.kind, ref: source.ref, version: manifest.version },
    manifest,
    exercises,
    checks,
  };
  const parentChecklist = parent.module.checklist;
  const templateDirs = [...parent.templateDirs, ...(existsSync(templates) ? [templates] : [])];
  return {
    ...parent,
    manifest: { ...parent.manifest, questions: [...parent.manifest.questions.filter((q) => !manifest.questions.some((o) => o.id === q.id)), ...manifest.questions] },
    templateDirs,
    // The pack's templates bind names too.
    identifiers: await templateIdentifiers({ manifest: parent.manifest, templateDirs, mountedTemplateDirs: parent.mountedTemplateDirs }),
    module: {
      ...parent.module,
      // The blueprint's checklist, then the pack's checks (a parent pack's are already in `checks`).
      checklist: (kit) => {
        const list = parentChecklist?.(kit) ?? { shared: [] };
        return { ...list, own: [...(list.own ?? []).filter((c) => !checks.includes(c)), ...checks] };
      },
    },
    pack,
  };
}

/** pack.json's version, else its package.json's; the two must agree when both say one (the project records it). */
async function packVersion(dir: string, manifest: PackManifest): Promise<string> {
  const pkgFile = path.join(dir, 'package.json');
  const pkg = existsSync(pkgFile) ? ((JSON.parse(await readFile(pkgFile, 'utf8')) as { version?: unknown }).version as string | undefined) : undefined;
  if (manifest.version && pkg && manifest.version !== pkg)
    throw new UserError(`Invalid pack manifest ${path.join(dir, PACK_MANIFEST)}: version: "${manifest.version}", but ${pkgFile} says "${pkg}".`, {
      hint: 'Bump both, or drop "version" from pack.json (the package.json version is used).',
    });
  const version = manifest.version ?? pkg;
  if (!version) throw new UserError(`Invalid pack manifest ${path.join(dir, PACK_MANIFEST)}: version: required (or a package.json with a version beside it).`);
  return version;
}

const packCheckSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  kind: z.enum(['static', 'dynamic']),
  exercise: z.string().optional(),
  seed: z.strictObject({ file: z.string(), section: z.string() }).optional(),
  run: z.custom<Check['run']>((v) => typeof v === 'function', { error: 'expected a function run(ctx) returning an outcome' }),
});

/** The pack's checks module: default export `(kit) => Check[]`; each check validated, its exercise declared. */
async function loadChecks(dir: string, manifest: PackManifest & { version: string }, exercises: Exercise[]): Promise<Check[]> {
  const file = path.join(dir, manifest.checks);
  if (!existsSync(file)) return [];
  let exported: unknown;
  try {
    // The file's mtime in the URL: a pack edited (or upgraded) in a running process is imported afresh.
    const url = `${pathToFileURL(file).href}?v=${(await stat(file)).mtimeMs}`;
    exported = ((await import(url)) as { default?: unknown }).default;
  } catch (err) {
    throw new UserError(`The pack's checks module ${file} failed to load: ${(err as Error).message}`);
  }
  if (typeof exported !== 'function') throw new UserError(`The pack's checks module ${file} must export default a function (kit) => Check[] (got ${typeof exported}).`);
  const list: unknown = await (exported as (kit: PackCheckKit) => unknown)(packCheckKit);
  if (!Array.isArray(list)) throw new UserError(`The pack's checks module ${file}: its default export must return an array of checks.`);
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const parsed = packCheckSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UserError(`Invalid check in ${file}: checks[${i}].${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const check = parsed.data;
    const where = `Invalid check in ${file}: checks[${i}] (${check.id})`;
    if (!check.id.startsWith(`${manifest.name}.`)) throw new UserError(`${where}: id: a pack's check ids start with its name and a dot ("${manifest.name}.…"), so they never collide with the built-in ones.`);
    if (seen.has(check.id)) throw new UserError(`${where}: id: two checks with this id.`);
    seen.add(check.id);
    const exercise = exercises.find((e) => e.id === check.exercise);
    if (check.exercise !== undefined && !exercise)
      throw new UserError(`${where}: exercise: "${check.exercise}" is not one of the exercises in ${path.join(dir, PACK_MANIFEST)} (${exercises.map((e) => e.id).join(', ') || 'none declared'}).`);
    return {
      ...(raw as Check),
      seed: check.seed ?? { file: `${manifest.name}@${manifest.version}`, section: exercise ? `exercise ${exercise.id}: ${exercise.title}` : manifest.title || manifest.name },
      ...(exercise ? { exercise: exercise.id } : {}),
    };
  });
}

/** A preset of the pack (or of a pack it extends) by name; the error lists the presets there are. */
export function findPreset(pack: ResolvedPack, name: string | undefined): { preset: Preset; specFile: string } | undefined {
  const presets = pack.manifest.presets;
  if (name === undefined) return presets[0] ? { preset: presets[0], specFile: path.join(pack.dir, presets[0].spec) } : undefined;
  const preset = presets.find((p) => p.name === name);
  if (!preset)
    throw new UserError(`--preset "${name}": the pack ${pack.name} has no such preset. Its presets: ${presets.map((p) => p.name).join(', ') || '(none)'}.`);
  return { preset, specFile: path.join(pack.dir, preset.spec) };
}
