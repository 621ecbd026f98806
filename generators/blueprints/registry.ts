/**
 * The blueprint registry: ONE loading path for every blueprint. Built-in blueprints are discovered as
 * the folders of `blueprints/` that hold a `blueprint.json`; an external one is a folder given by path
 * (`--blueprint ./my-blueprint`) or an npm package (`--blueprint some-package`, resolved from the
 * project, then from the current directory). Each is loaded the same way: blueprint.json validated with
 * zod, then its module (`main`, plain ESM JavaScript) imported; `extends` resolves the parent the same
 * way, relative to the child.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { UserError } from '../core/errors.js';
import { GENERATOR_VERSION, PACKAGE_ROOT } from '../core/version.js';
import type { BlueprintModule, BlueprintSource, ResolvedBlueprint } from './contract.js';
import { BLUEPRINT_ID, blueprintManifestSchema, type BlueprintManifest } from './manifest.js';
import { templateIdentifiers } from './identifiers.js';

export const BUILT_IN_ROOT = new URL('blueprints/', PACKAGE_ROOT).pathname;
export const DEFAULT_BLUEPRINT = 'monolith-cache';

/** A blueprint as the prompt lists it (manifest only; nothing imported). */
export interface BlueprintListing {
  id: string;
  title: string;
  summary: string;
  available: boolean;
}

let builtInsPromise: Promise<Map<string, { dir: string; manifest: BlueprintManifest }>> | undefined;

/** Every built-in blueprint folder, by id (a folder without blueprint.json, e.g. examples/, is not one). */
function builtIns(): Promise<Map<string, { dir: string; manifest: BlueprintManifest }>> {
  builtInsPromise ??= (async () => {
    const out = new Map<string, { dir: string; manifest: BlueprintManifest }>();
    for (const entry of (await readdir(BUILT_IN_ROOT, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const dir = path.join(BUILT_IN_ROOT, entry.name);
      if (!entry.isDirectory() || !existsSync(path.join(dir, 'blueprint.json'))) continue;
      const manifest = await readBlueprintManifest(dir);
      if (manifest.id !== entry.name) throw new Error(`internal: built-in blueprint folder ${entry.name} declares id "${manifest.id}"`);
      out.set(manifest.id, { dir, manifest });
    }
    return out;
  })();
  return builtInsPromise;
}

/** The built-in blueprints for the prompt, the default first. */
export async function listBuiltIns(): Promise<BlueprintListing[]> {
  const all = [...(await builtIns()).values()].map(({ manifest: m }) => ({ id: m.id, title: m.title, summary: m.summary, available: m.available }));
  return all.sort((a, b) => Number(b.id === DEFAULT_BLUEPRINT) - Number(a.id === DEFAULT_BLUEPRINT));
}

/** A path to a blueprint folder rather than an id or a package name. */
export function isPathRef(ref: string): boolean {
  return ref.startsWith('.') || path.isAbsolute(ref) || ref.includes('\\') || (ref.includes('/') && !ref.startsWith('@'));
}

export const NPM_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/**
 * Resolves what a user wrote (`--blueprint`, an answers file, a spec's `blueprint:`): a built-in id,
 * a path (relative to `from`), or an npm package name. `what` names where the value came from, for errors.
 */
export async function resolveBlueprint(ref: string, options: { from: string; what: string; searchDirs?: string[] }): Promise<ResolvedBlueprint> {
  if (isPathRef(ref)) {
    const dir = path.resolve(options.from, ref);
    if (!existsSync(path.join(dir, 'blueprint.json')))
      throw new UserError(`${options.what}: no blueprint at ${dir} (a blueprint folder holds a blueprint.json).`, {
        hint: 'Pass the folder that contains blueprint.json, a built-in id, or an npm package name.',
      });
    return load(dir, { kind: 'path', ref: dir }, options.what);
  }
  const builtIn = (await builtIns()).get(ref);
  if (builtIn) {
    if (!builtIn.manifest.available) throw await notAvailable(builtIn.manifest, options.what);
    return load(builtIn.dir, { kind: 'builtin' }, options.what);
  }
  if (NPM_NAME.test(ref)) {
    const dir = resolvePackage(ref, [...(options.searchDirs ?? []), options.from]);
    if (dir) return load(dir, { kind: 'package', ref }, options.what);
  }
  const known = [...(await builtIns()).values()].filter((b) => b.manifest.available).map((b) => b.manifest.id);
  throw new UserError(
    `${options.what}: unknown blueprint "${ref}". Expected a built-in id (${known.join(', ')}), a path to a blueprint folder (./my-blueprint), or an installed npm package that contains a blueprint.json.`,
  );
}

/** A blueprint whose manifest says `available: false` (built in, or a path or package announcing one): refused, naming the available ones. */
async function notAvailable(manifest: BlueprintManifest, what: string): Promise<UserError> {
  const available = [...(await builtIns()).values()].filter((b) => b.manifest.available).map((b) => b.manifest.id);
  return new UserError(
    `Blueprint "${manifest.id}" (${manifest.title}, from ${what}) is not available yet in create-backend-arch ${GENERATOR_VERSION}. Available: ${available.join(', ')}.`,
    { hint: `Pass --blueprint ${available.includes(DEFAULT_BLUEPRINT) ? DEFAULT_BLUEPRINT : available[0]} to generate with it.` },
  );
}

/** Finds the blueprint a project was generated with, from its manifest's record. */
export async function resolveRecordedBlueprint(
  id: string,
  source: BlueprintSource | undefined,
  project: { dir: string; manifestFile: string },
): Promise<ResolvedBlueprint> {
  const what = `${project.manifestFile} field "blueprintSource"`;
  const resolved =
    source === undefined || source.kind === 'builtin'
      ? await resolveBlueprint(id, { from: project.dir, what: `${project.manifestFile} field "blueprint"` })
      : source.kind === 'path'
        ? await resolveBlueprint(path.isAbsolute(source.ref!) ? source.ref! : `./${source.ref!}`, { from: project.dir, what })
        : await resolveBlueprint(source.ref!, { from: project.dir, what });
  if (resolved.id !== id)
    throw new UserError(`${project.manifestFile} field "blueprint" says "${id}", but the blueprint found at its recorded source is "${resolved.id}".`, {
      hint: 'Point blueprintSource at the blueprint the project was generated with.',
    });
  return resolved;
}

function resolvePackage(name: string, dirs: string[]): string | undefined {
  return resolvePackageFolder(name, 'blueprint.json', dirs);
}

/** The folder of an installed npm package that holds `file` (blueprint.json, pack.json), looked up from each of `dirs`. */
export function resolvePackageFolder(name: string, file: string, dirs: string[]): string | undefined {
  for (const dir of [...dirs, PACKAGE_ROOT.pathname]) {
    try {
      return path.dirname(createRequire(path.join(dir, 'package.json')).resolve(`${name}/${file}`));
    } catch {
      // not installed there
    }
  }
  return undefined;
}

async function readBlueprintManifest(dir: string): Promise<BlueprintManifest> {
  const file = path.join(dir, 'blueprint.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UserError(`Cannot read blueprint manifest ${file}: ${(err as Error).message}`);
  }
  const parsed = blueprintManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new UserError(`Invalid blueprint manifest ${file}: ${first.path.join('.') || '(root)'}: ${first.message}`);
  }
  return parsed.data;
}

async function versionOf(dir: string, manifest: BlueprintManifest, source: Omit<BlueprintSource, 'version'>): Promise<string> {
  if (source.kind === 'builtin') return GENERATOR_VERSION;
  if (manifest.version) return manifest.version;
  try {
    return (JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const loaded = new Map<string, Promise<ResolvedBlueprint>>();

function load(dir: string, source: Omit<BlueprintSource, 'version'>, what: string): Promise<ResolvedBlueprint> {
  const key = `${source.kind}:${dir}`;
  let promise = loaded.get(key);
  if (!promise) {
    promise = loadUncached(dir, source, what);
    loaded.set(key, promise);
    promise.catch(() => loaded.delete(key));
  }
  return promise;
}

async function loadUncached(dir: string, source: Omit<BlueprintSource, 'version'>, what: string): Promise<ResolvedBlueprint> {
  const own = await readBlueprintManifest(dir);
  if (!own.available) throw await notAvailable(own, what);
  const parent = own.extends ? await resolveBlueprint(own.extends, { from: dir, what: `${path.join(dir, 'blueprint.json')} field "extends"` }) : undefined;
  const mainFile = path.join(dir, own.main);
  let module: Partial<BlueprintModule> = {};
  if (existsSync(mainFile)) {
    try {
      const imported = (await import(pathToFileURL(mainFile).href)) as { default?: Partial<BlueprintModule> };
      module = imported.default ?? {};
    } catch (err) {
      throw new UserError(`${what}: the blueprint module ${mainFile} failed to load: ${(err as Error).message}`);
    }
  } else if (!parent) {
    throw new UserError(`${what}: the blueprint module ${mainFile} is missing (blueprint.json field "main").`);
  }
  const plan = module.plan ?? parent?.module.plan;
  if (typeof plan !== 'function') throw new UserError(`${what}: ${mainFile} must export default an object with a plan() function (its planner).`);
  const manifest: BlueprintManifest = parent ? mergeManifests(parent.manifest, own) : own;
  const version = await versionOf(dir, own, source);
  const templates = path.join(dir, 'templates');
  const shared = own.sharedTemplates.map((t) => path.resolve(dir, t));
  const missing = shared.find((t) => !existsSync(t));
  if (missing) throw new UserError(`${what}: ${path.join(dir, 'blueprint.json')} field "sharedTemplates" names ${missing}, which does not exist.`);
  const templateDirs = [...(parent?.templateDirs ?? []), ...shared, ...(existsSync(templates) ? [templates] : [])];
  // Another blueprint's templates a mount renders here (resolved like `extends`, relative to this folder).
  const ownMounted: Record<string, string[]> = {};
  for (const ref of new Set(own.mounts.flatMap((m) => (m.blueprint === undefined ? [] : [m.blueprint])))) {
    const other = await resolveBlueprint(ref, { from: dir, what: `${path.join(dir, 'blueprint.json')} field "mounts"` });
    ownMounted[ref] = other.templateDirs;
  }
  const mountedTemplateDirs = { ...parent?.mountedTemplateDirs, ...ownMounted };
  return {
    id: own.id,
    manifest,
    dir,
    source: { ...source, version },
    templateDirs,
    // Mounted templates (another blueprint's, rendered here) count: their code sits beside the per-entity names too.
    identifiers: await templateIdentifiers({ manifest, templateDirs, mountedTemplateDirs }),
    mountedTemplateDirs,
    module: {
      plan,
      ...pick(parent?.module, module, 'checklist'),
      ...pick(parent?.module, module, 'runtime'),
      ...pick(parent?.module, module, 'postTasks'),
      ...pick(parent?.module, module, 'nextSteps'),
    },
    parentPlan: parent ? (args) => parent.module.plan({ ...args, parent: parent.parentPlan }) : undefined,
  };
}

function pick<K extends 'checklist' | 'runtime' | 'postTasks' | 'nextSteps'>(parent: Partial<BlueprintModule> | undefined, child: Partial<BlueprintModule>, key: K): Pick<BlueprintModule, K> | object {
  const value = child[key] ?? parent?.[key];
  return value ? { [key]: value } : {};
}

/** A child's manifest over its parent's: the child's entries win by id / segment. */
function mergeManifests(parent: BlueprintManifest, child: BlueprintManifest): BlueprintManifest {
  const byKey = <T>(a: T[], b: T[], key: (t: T) => string) => [...a.filter((x) => !b.some((y) => key(y) === key(x))), ...b];
  return {
    ...child,
    summary: child.summary || parent.summary,
    questions: byKey(parent.questions, child.questions, (q) => q.id),
    features: byKey(parent.features, child.features, (f) => f.id),
    expansions: byKey(parent.expansions, child.expansions, (e) => e.segment),
    engines: [...new Set([...parent.engines, ...child.engines])],
    tables: [...new Set([...parent.tables, ...child.tables])],
    routes: [...new Set([...parent.routes, ...child.routes])],
  };
}

export function isBlueprintId(value: string): boolean {
  return BLUEPRINT_ID.test(value);
}

/**
 * The four architectures the product promises, as `advise` compares them (the options of its decision
 * matrix and the titles docs/architecture.md prints). This is advice data, not the list of blueprints
 * that can be loaded: that is discovered (blueprints/<id>/ folders) and open (paths, packages).
 */
export const BLUEPRINTS = [
  {
    id: 'monolith-cache',
    title: 'Monolith + cache',
    summary: 'one API process + one worker process; PostgreSQL; Redis for cache-aside, rate limits and the job queue',
    available: true,
  },
  {
    id: 'microservices',
    title: 'Microservices',
    summary: 'an API gateway + one service per bounded context, database per service, events with a transactional outbox',
    available: true,
  },
  {
    id: 'serverless',
    title: 'Serverless',
    summary: 'function handlers behind an HTTP API, a managed queue for jobs, PostgreSQL through a connection proxy',
    available: true,
  },
  {
    id: 'hybrid',
    title: 'Hybrid',
    summary: 'a container API (the monolith core) + separately deployed workers for async and bursty work',
    available: true,
  },
] as const;

/** One of the four architectures `advise` compares. */
export type BlueprintId = (typeof BLUEPRINTS)[number]['id'];

export function isArchitecture(id: string): id is BlueprintId {
  return BLUEPRINTS.some((b) => b.id === id);
}
