/**
 * `backend-arch generate [generator]`: the author surface of blueprints and packs is node-plop's. A
 * blueprint or pack may ship a plopfile (`plopfile.js`, or the file its manifest names in "plopfile")
 * whose generators run inside a generated project, with node-plop's prompts and actions (add, addMany,
 * modify, append) and our custom action type `render-ejs` (plop/actions.ts).
 *
 * node-plop (inquirer, handlebars, rxjs…) is imported here only, and this module only by the generate
 * command: `new`, `add` and `update` never load it.
 *
 * Safety, as in the rest of the tool: plop writes to disk as it goes, so it runs against a staging copy
 * of the project (no node_modules, no .git) in a temporary directory. Only when every action succeeded
 * is the staging copy diffed against the project and the change set committed with the one atomic tree
 * commit (core/commit.ts). A failed action, a refused change or --dry-run leaves the project as it was.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NodePlopAPI, PlopGenerator } from 'node-plop';
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import { commitTree } from '../core/commit.js';
import { UserError } from '../core/errors.js';
import { MANIFEST_PATH, readManifest, sha256, type Manifest } from '../core/manifest.js';
import { Tree, type FileChange } from '../core/tree.js';
import { GENERATOR_VERSION } from '../core/version.js';
import { resolveProjectBlueprint } from '../packs/registry.js';
import { formatTree } from '../pipeline/format.js';
import { planInputFrom } from '../plan/input.js';
import { planProject } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { gitState } from '../regen/git.js';
import { registerActionTypes } from './actions.js';

/** A plopfile's author: the blueprint or the pack that ships it. */
export interface PlopSource {
  kind: 'blueprint' | 'pack';
  name: string;
  file: string;
}

export interface GeneratorListing {
  name: string;
  description: string;
  source: PlopSource;
}

export interface GenerateRequest {
  dir: string;
  /** Absent: list the generators. */
  generator?: string;
  /** --answer key=value, as given. */
  answers: Record<string, string>;
  dryRun: boolean;
  /** Ask missing answers through inquirer (a terminal); otherwise a missing answer is an error. */
  interactive: boolean;
  /** Accept changes to files with uncommitted (or unrecorded) edits. */
  force: boolean;
}

export interface GenerateResult {
  generator: string;
  source: PlopSource;
  dryRun: boolean;
  /** The change set, by path: what was (or, in a dry run, would be) written. */
  files: { path: string; status: 'create' | 'update' | 'delete' }[];
  /** The lines plop's actions reported (and comment strings in the actions list). */
  log: string[];
}

/** The convention when a manifest names no plopfile. */
export const PLOPFILE_NAMES = ['plopfile.js', 'plopfile.mjs'] as const;

/** Folders never copied into the staging copy, and never diffed: not the generator's to touch. */
const NOT_STAGED = new Set(['node_modules', '.git']);

/** The plopfiles of the project's pack (first: its generators win by name) and blueprint. */
export function findPlopfiles(blueprint: ResolvedBlueprint): PlopSource[] {
  const out: PlopSource[] = [];
  const pick = (dir: string, named: string | undefined, kind: PlopSource['kind'], name: string, manifestFile: string) => {
    if (named !== undefined) {
      const file = path.resolve(dir, named);
      if (!existsSync(file)) throw new UserError(`${path.join(dir, manifestFile)} field "plopfile": no file ${file}.`);
      out.push({ kind, name, file });
      return;
    }
    const found = PLOPFILE_NAMES.map((n) => path.join(dir, n)).find((f) => existsSync(f));
    if (found) out.push({ kind, name, file: found });
  };
  if (blueprint.pack) pick(blueprint.pack.dir, blueprint.pack.manifest.plopfile, 'pack', blueprint.pack.name, 'pack.json');
  pick(blueprint.dir, blueprint.manifest.plopfile, 'blueprint', blueprint.id, 'blueprint.json');
  return out;
}

interface Loaded {
  plop: NodePlopAPI;
  source: PlopSource;
}

/** One node-plop instance per plopfile, writing under `destBasePath`, with our action types registered before the plopfile runs. */
async function loadPlopfiles(sources: PlopSource[], destBasePath: string, context: ActionContextSource): Promise<Loaded[]> {
  const { default: nodePlop } = await import('node-plop');
  const loaded: Loaded[] = [];
  for (const source of sources) {
    const plop = await nodePlop('', { destBasePath, force: false });
    plop.setPlopfilePath(source.file);
    registerActionTypes(plop, context);
    let exported: unknown;
    try {
      exported = await import(pathToFileURL(source.file).href);
    } catch (err) {
      throw new UserError(`The ${source.kind} ${source.name}'s plopfile ${source.file} failed to load: ${(err as Error).message}`);
    }
    const fn = typeof exported === 'function' ? exported : (exported as { default?: unknown }).default;
    if (typeof fn !== 'function') throw new UserError(`The plopfile ${source.file} must export default a function (plop) => void (got ${typeof fn}).`);
    try {
      await (fn as (plop: NodePlopAPI, cfg: object) => unknown)(plop, { destBasePath, force: false });
    } catch (err) {
      throw new UserError(`The plopfile ${source.file} threw while it ran: ${(err as Error).message}`);
    }
    loaded.push({ plop, source });
  }
  return loaded;
}

/** What the render-ejs action needs from the project, computed on first use. */
export interface ActionContextSource {
  projectDir: string;
  plan: () => Plan;
  manifest: Manifest;
}

export async function listGenerators(dir: string): Promise<GeneratorListing[]> {
  const { manifest, blueprint } = await project(dir);
  const sources = findPlopfiles(blueprint);
  if (sources.length === 0) return [];
  const loaded = await loadPlopfiles(sources, dir, contextFor(dir, manifest, blueprint));
  return listingOf(loaded);
}

function listingOf(loaded: Loaded[]): GeneratorListing[] {
  const byName = new Map<string, GeneratorListing>();
  for (const { plop, source } of loaded)
    for (const g of plop.getGeneratorList()) if (!byName.has(g.name)) byName.set(g.name, { name: g.name, description: g.description ?? '', source });
  return [...byName.values()];
}

async function project(dir: string): Promise<{ manifest: Manifest; blueprint: ResolvedBlueprint }> {
  const manifest = await readManifest(dir);
  return { manifest, blueprint: await resolveProjectBlueprint(manifest, { dir }) };
}

function contextFor(dir: string, manifest: Manifest, blueprint: ResolvedBlueprint): ActionContextSource {
  let plan: Plan | undefined;
  return {
    projectDir: dir,
    manifest,
    plan: () => (plan ??= planProject(planInputFrom(manifest.answers, manifest.spec, GENERATOR_VERSION), blueprint)),
  };
}

export async function runGenerator(request: GenerateRequest & { generator: string }): Promise<GenerateResult> {
  const dir = path.resolve(request.dir);
  const { manifest, blueprint } = await project(dir);
  const sources = findPlopfiles(blueprint);
  if (sources.length === 0)
    throw new UserError(`No generators: neither the blueprint ${blueprint.id}${blueprint.pack ? ` nor the pack ${blueprint.pack.name}` : ''} ships a plopfile (${PLOPFILE_NAMES.join(' or ')}, or "plopfile" in its manifest).`);
  const scratch = await mkdtemp(path.join(tmpdir(), 'backend-arch-generate-'));
  try {
    // The staging copy keeps the project's folder name: a generator that prints it sees the real one.
    const staging = path.join(scratch, path.basename(dir));
    const before = await stage(dir, staging);
    const loaded = await loadPlopfiles(sources, staging, { ...contextFor(dir, manifest, blueprint), projectDir: staging });
    const found = loaded.find((l) => l.plop.getGeneratorList().some((g) => g.name === request.generator));
    if (!found) {
      const names = listingOf(loaded).map((g) => g.name);
      throw new UserError(`No generator "${request.generator}". This project's generators: ${names.join(', ') || '(none)'}.`, { hint: 'Run `backend-arch generate` without a name to list them.' });
    }
    const generator = found.plop.getGenerator(request.generator);
    const data = await answersFor(generator, request.generator, found.plop, request);
    const log: string[] = [];
    // Paths in plop's messages point into the staging copy: shown relative to the project, on one line.
    const shown = (text: string) => text.split(staging).join('.').split(scratch).join('..').replace(/\s*\n\s*->\s*/g, ': ');
    let outcome: Awaited<ReturnType<PlopGenerator['runActions']>>;
    try {
      outcome = await generator.runActions(data, { onComment: (c: string) => log.push(c) });
    } catch (err) {
      throw new UserError(`Generator "${request.generator}" (${describe(found.source)}) failed before its actions ran: ${shown(errorText(err))}. Nothing was written.`, { exitCode: 1 });
    }
    if (outcome.failures.length > 0) {
      const lines = outcome.failures.map((f) => `  - action ${f.type || '(function)'}${f.path ? ` ${shown(String(f.path))}` : ''}: ${shown(String(f.error))}`);
      throw new UserError(`Generator "${request.generator}" (${describe(found.source)}): ${outcome.failures.length} action(s) failed; nothing was written:\n${lines.join('\n')}`, { exitCode: 1 });
    }
    for (const c of outcome.changes) log.push(`${c.type}: ${shown(String(c.path))}`);
    await refuseEscapes(scratch, path.basename(dir));
    const tree = await diffStaging(staging, dir, before);
    const changes = tree.changes().filter((c) => c.type !== 'unchanged');
    await refuseUnsafeChanges(dir, changes, manifest, request.force);
    const created = changes.filter((c) => c.type === 'create').map((c) => c.path);
    // New files are formatted like everything the generator writes; a file the generator edited keeps the user's layout.
    if (created.length > 0) await formatTree(tree, created);
    const files = tree.changes().filter((c) => c.type !== 'unchanged').map((c) => ({ path: c.path, status: c.type as 'create' | 'update' | 'delete' }));
    if (!request.dryRun && files.length > 0) {
      await refuseChangedSince(dir, before, files.map((f) => f.path));
      await commitTree(tree);
    }
    return { generator: request.generator, source: found.source, dryRun: request.dryRun, files, log };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function describe(source: PlopSource): string {
  return `from the ${source.kind} ${source.name}, ${source.file}`;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'error' in err) return String((err as { error: unknown }).error);
  return String(err);
}

/** Copies the project into `staging` (without node_modules and .git); returns the sha256 of every copied file. */
async function stage(dir: string, staging: string): Promise<Map<string, string>> {
  await cp(dir, staging, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(dir, src);
      const first = rel.split(path.sep)[0]!;
      return !NOT_STAGED.has(first) && !rel.startsWith(path.join('.backend-arch', 'txn-'));
    },
  });
  return hashes(staging);
}

async function hashes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(root, full).split(path.sep).join('/');
    if (NOT_STAGED.has(rel.split('/')[0]!)) continue;
    out.set(rel, createHash('sha256').update(await readFile(full)).digest('hex'));
  }
  return out;
}

/** A generator whose action path leaves the project (`../x`) wrote beside the staging copy: refused. */
async function refuseEscapes(scratch: string, name: string): Promise<void> {
  const outside = (await readdir(scratch)).filter((e) => e !== name);
  if (outside.length > 0)
    throw new UserError(`The generator wrote outside the project (${outside.map((e) => `../${e}`).join(', ')}); nothing was written.`, { exitCode: 1, hint: 'Action paths are relative to the project and must stay inside it.' });
}

/** The staging copy against the project, as a tree rooted at the project: what the commit would write. */
async function diffStaging(staging: string, dir: string, before: Map<string, string>): Promise<Tree> {
  const after = await hashes(staging);
  const tree = new Tree(dir);
  for (const [file, hash] of after) if (before.get(file) !== hash) tree.write(file, await readFile(path.join(staging, file), 'utf8'));
  for (const file of before.keys()) if (!after.has(file)) tree.delete(file);
  return tree;
}

/**
 * A generator may edit files the user owns (that is what modify and append are for), but never silently:
 * the user's way back must exist. In a git repository a file with uncommitted changes is refused (commit
 * first, then `git diff` shows exactly what the generator did); outside git, a file whose content is not
 * what create-backend-arch recorded is refused. --force accepts both. The manifest itself is never the generator's.
 */
async function refuseUnsafeChanges(dir: string, changes: FileChange[], manifest: Manifest, force: boolean): Promise<void> {
  const own = changes.filter((c) => c.path === MANIFEST_PATH || c.path.startsWith('.backend-arch/'));
  if (own.length > 0) throw new UserError(`The generator changed ${own.map((c) => c.path).join(', ')}, which create-backend-arch keeps; nothing was written.`, { exitCode: 1 });
  if (force) return;
  const touched = changes.filter((c) => c.type !== 'create').map((c) => c.path);
  if (touched.length === 0) return;
  const git = await gitState(dir);
  let unsafe: string[];
  let why: string;
  if (git.repo) {
    const dirty = new Set(git.dirty.map((l) => l.slice(3).replace(/^"|"$/g, '').split(' -> ').pop()!));
    const prefix = await gitPrefix(dir);
    unsafe = touched.filter((p) => dirty.has(prefix + p));
    why = 'has uncommitted changes';
  } else {
    unsafe = [];
    for (const p of touched) {
      const recorded = manifest.files[p]?.sha256;
      if (recorded === undefined || recorded !== sha256(await readFile(path.join(dir, p), 'utf8'))) unsafe.push(p);
    }
    why = 'is not as create-backend-arch generated it (no git repository to take you back)';
  }
  if (unsafe.length > 0)
    throw new UserError(`The generator would change ${unsafe.map((p) => `${p}`).join(', ')}, which ${why}; nothing was written.`, {
      exitCode: 1,
      hint: git.repo ? 'Commit or stash your changes first (so `git diff` shows what the generator did), or pass --force.' : 'Pass --force to let the generator change it.',
    });
}

/** The project's path inside its git repository (git status paths are relative to the repository root). */
async function gitPrefix(dir: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => execFile('git', ['rev-parse', '--show-prefix'], { cwd: dir }, (err, stdout) => resolve(err ? '' : stdout.trim())));
}

/** A file that changed on disk while the generator ran (an editor saving) would be lost: refused, naming it. */
async function refuseChangedSince(dir: string, before: Map<string, string>, files: string[]): Promise<void> {
  for (const file of files) {
    const full = path.join(dir, file);
    const now = existsSync(full) ? createHash('sha256').update(await readFile(full)).digest('hex') : undefined;
    if (now !== before.get(file))
      throw new UserError(`${file} changed on disk while the generator ran; nothing was written.`, { exitCode: 1, hint: 'Run the generator again.' });
  }
}

/** A prompt as a plopfile declares it (inquirer's question object). */
interface PromptQuestion {
  name: string;
  type?: string;
  message?: unknown;
  default?: unknown;
  choices?: unknown;
  when?: unknown;
  validate?: (value: unknown, answers: Record<string, unknown>) => unknown;
  filter?: (value: unknown, answers: Record<string, unknown>) => unknown;
}

/**
 * The generator's answers: --answer values converted to the prompt's type (confirm: yes/no, number,
 * checkbox: comma-separated, list: one of the choices) and validated by its own validate(); the rest asked
 * through inquirer on a terminal, or taken from the prompt's default. Without a terminal, a prompt with
 * neither an answer nor a default is an error naming it.
 */
async function answersFor(generator: PlopGenerator, name: string, plop: NodePlopAPI, request: GenerateRequest): Promise<Record<string, unknown>> {
  const prompts = generator.prompts as unknown;
  // node-plop passes inquirer through to plopfiles (its types omit it).
  const inquirer = (plop as unknown as { inquirer: { prompt: (q: unknown, given: Record<string, unknown>) => Promise<Record<string, unknown>> } }).inquirer;
  if (prompts === undefined || prompts === null) {
    refuseUnknownAnswers(name, [], request.answers);
    return {};
  }
  if (typeof prompts === 'function') {
    if (!request.interactive)
      throw new UserError(`Generator "${name}" asks its questions in code (prompts is a function), so they cannot be answered with --answer; run it on a terminal.`, { hint: 'Or declare its prompts as a list.' });
    return (await (prompts as (inquirer: unknown) => Promise<Record<string, unknown>>)(inquirer)) ?? {};
  }
  const questions = prompts as PromptQuestion[];
  refuseUnknownAnswers(name, questions, request.answers);
  const given: Record<string, unknown> = {};
  for (const q of questions) {
    const raw = request.answers[q.name];
    if (raw === undefined) continue;
    let value = convert(name, q, raw);
    if (q.filter) value = await q.filter(value, given);
    if (q.validate) {
      const ok = await q.validate(value, given);
      if (ok !== true) throw new UserError(`Generator "${name}": --answer ${q.name}=${raw}: ${typeof ok === 'string' ? ok : 'rejected by the prompt\'s validate()'}.`);
    }
    given[q.name] = value;
  }
  if (request.interactive) return inquirer.prompt(questions, given);
  const missing: PromptQuestion[] = [];
  for (const q of questions) {
    if (q.name in given) continue;
    if (typeof q.when === 'function' && !(await (q.when as (a: unknown) => unknown)(given))) continue;
    if (q.when === false) continue;
    if (q.default !== undefined) given[q.name] = typeof q.default === 'function' ? await (q.default as (a: unknown) => unknown)(given) : q.default;
    else missing.push(q);
  }
  if (missing.length > 0) {
    const lines = missing.map((q) => `  --answer ${q.name}=…  (${typeof q.message === 'string' ? q.message : q.name})`);
    throw new UserError(`Generator "${name}": missing answer${missing.length === 1 ? '' : 's'} for prompt${missing.length === 1 ? '' : 's'} ${missing.map((q) => `"${q.name}"`).join(', ')}:\n${lines.join('\n')}`, {
      hint: 'No prompts are shown without an interactive terminal (or when CI is set); give each answer as --answer NAME=VALUE.',
    });
  }
  return given;
}

function refuseUnknownAnswers(generator: string, questions: PromptQuestion[], answers: Record<string, string>): void {
  const unknown = Object.keys(answers).filter((k) => !questions.some((q) => q.name === k));
  if (unknown.length > 0)
    throw new UserError(`Generator "${generator}" has no prompt ${unknown.map((k) => `"${k}"`).join(', ')}. Its prompts: ${questions.map((q) => q.name).join(', ') || '(none)'}.`);
}

function choiceValues(choices: unknown): string[] {
  if (!Array.isArray(choices)) return [];
  return choices.filter((c) => c !== null && (typeof c !== 'object' || !('type' in c && c.type === 'separator'))).map((c) => String(typeof c === 'object' ? ((c as { value?: unknown; name?: unknown }).value ?? (c as { name?: unknown }).name) : c));
}

function convert(generator: string, q: PromptQuestion, raw: string): unknown {
  const where = `Generator "${generator}": --answer ${q.name}=${raw}`;
  switch (q.type) {
    case 'confirm':
      if (/^(y|yes|true)$/i.test(raw)) return true;
      if (/^(n|no|false)$/i.test(raw)) return false;
      throw new UserError(`${where}: expected yes or no.`);
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw new UserError(`${where}: expected a number.`);
      return n;
    }
    case 'checkbox': {
      const values = raw.split(',').map((s) => s.trim()).filter(Boolean);
      const allowed = choiceValues(q.choices);
      const bad = values.filter((v) => allowed.length > 0 && !allowed.includes(v));
      if (bad.length > 0) throw new UserError(`${where}: ${bad.join(', ')} not among the choices (${allowed.join(', ')}).`);
      return values;
    }
    case 'list':
    case 'rawlist':
    case 'expand':
    case 'select': {
      const allowed = choiceValues(q.choices);
      if (allowed.length > 0 && !allowed.includes(raw)) throw new UserError(`${where}: expected one of ${allowed.join(', ')}.`);
      return raw;
    }
    default:
      return raw;
  }
}
