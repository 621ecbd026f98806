/**
 * Template discovery and EJS rendering for a blueprint. Conventions:
 *  - files under `<blueprint>/templates/`; a `.ejs` suffix means "render with EJS" (the suffix is dropped),
 *    anything else is copied as is; a blueprint that extends another overrides its templates by path;
 *  - a path segment named by an expansion renders the file once per item: built in, `[entity]` (the
 *    segment becomes entity.moduleDir, local `entity`), `[job]` (job.name, local `job`), `[migration]`
 *    (migration.fileName without .sql, local `migration`); a blueprint declares more in blueprint.json
 *    (e.g. `[service]`), and segments nest left to right (`services/[service]/[migration].sql.ejs`);
 *  - a leading `_` on a dotfile name (`_gitignore`) becomes `.` (npm drops real dotfiles when publishing);
 *  - blueprint.json maps optional features to the template paths they own.
 * Templates get `plan`, the per-item local, `esc` (the escapers of render/escape.ts: every value from
 * a spec is printed through the one for its context) and `layout` (render/layout.ts: where a line breaks
 * when its length depends on a name); they print, they do not compute.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import { UserError } from '../core/errors.js';
import { BUILT_IN_EXPANSIONS, type BlueprintManifest, type Expansion } from '../blueprints/manifest.js';
import type { Plan } from '../plan/types.js';
import { escapers } from './escape.js';
import { layout } from './layout.js';
import { certifiedTemplates, withoutPrettier } from './formatted-templates.js';
import { BUILT_IN_ROOT } from '../blueprints/registry.js';

export interface TemplateFile {
  /** Path relative to templates/, with `/` separators. */
  source: string;
  content: string;
  /** The templates/ folder it was read from (a parent's, or the blueprint's own override). */
  root: string;
  /** Mounted from another blueprint with a plan part: the template sees `{ ...plan, ...plan[planPart] }`. */
  planPart?: string;
}

export interface LoadedBlueprint {
  manifest: BlueprintManifest;
  templates: TemplateFile[];
  expansions: Expansion[];
}

const cache = new Map<string, Promise<TemplateFile[]>>();

/** Every template of a blueprint, parents first; a later folder's file replaces an earlier one's with the same path. */
export async function loadBlueprint(blueprint: Pick<ResolvedBlueprint, 'manifest' | 'templateDirs' | 'mountedTemplateDirs'>): Promise<LoadedBlueprint> {
  const bySource = new Map<string, TemplateFile>();
  const { mounts = [], exclude = [] } = blueprint.manifest;
  const local = mounts.filter((m) => m.blueprint === undefined);
  const foreign = mounts.filter((m) => m.blueprint !== undefined);
  const own = blueprint.templateDirs.at(-1);
  for (const dir of blueprint.templateDirs) {
    // Templates mounted from other blueprints come after the parents' and before the blueprint's own,
    // so its own file at the same output path still wins.
    if (dir === own) for (const t of await mountedTemplates(blueprint, foreign)) bySource.set(t.source.replace(/\.ejs$/, ''), t);
    for (const t of await templatesOf(dir)) {
      // A parent's template may be excluded or mounted at another path; the blueprint's own are taken as they are.
      if (dir !== own && exclude.some((p) => underPath(t.source, p))) continue;
      const mount = dir === own ? undefined : local.find((m) => underPath(t.source, m.from));
      const source = mount ? mount.to + t.source.slice(mount.from.length) : t.source;
      // Keyed by the output path: a child's `x.ts.ejs` replaces a parent's verbatim `x.ts` and vice versa.
      bySource.set(source.replace(/\.ejs$/, ''), { ...t, source });
    }
  }
  const templates = [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source));
  const declared = blueprint.manifest.expansions;
  const expansions = [...BUILT_IN_EXPANSIONS.filter((e) => !declared.some((o) => o.segment === e.segment)), ...declared];
  return { manifest: blueprint.manifest, templates, expansions };
}

function templatesOf(dir: string): Promise<TemplateFile[]> {
  let files = cache.get(dir);
  if (!files) {
    files = readTemplates(dir);
    cache.set(dir, files);
  }
  return files;
}

type Mount = BlueprintManifest['mounts'][number];

/** The templates `mounts` entries with a `blueprint` take from that blueprint (its folders in order, a later one's file winning), at their `to` path. */
async function mountedTemplates(blueprint: Pick<ResolvedBlueprint, 'mountedTemplateDirs'>, mounts: Mount[]): Promise<TemplateFile[]> {
  const out: TemplateFile[] = [];
  for (const mount of mounts) {
    const dirs = blueprint.mountedTemplateDirs?.[mount.blueprint!];
    if (!dirs) throw new Error(`internal: the templates of mounted blueprint "${mount.blueprint}" were not resolved`);
    const byPath = new Map<string, TemplateFile>();
    for (const dir of dirs)
      for (const t of await templatesOf(dir)) if (underPath(t.source, mount.from)) byPath.set(t.source.replace(/\.ejs$/, ''), t);
    if (byPath.size === 0) throw new UserError(`blueprint.json mounts: blueprint "${mount.blueprint}" has no template at "${mount.from}"`);
    for (const t of byPath.values()) out.push({ ...t, source: mount.to + t.source.slice(mount.from.length), ...(mount.plan ? { planPart: mount.plan } : {}) });
  }
  return out;
}

/** `source` is `prefix` or inside it (a prefix ending in / names a folder). */
function underPath(source: string, prefix: string): boolean {
  return source === prefix || source.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

async function readTemplates(root: string): Promise<TemplateFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const full = path.join(e.parentPath, e.name);
        return { source: path.relative(root, full).split(path.sep).join('/'), content: await readFile(full, 'utf8'), root };
      }),
  );
}

function featureEnabled(manifest: BlueprintManifest, plan: Plan, source: string): boolean {
  for (const feature of manifest.features) {
    if (feature.paths.some((p) => underPath(source, p)) && !plan.features[feature.id]) return false;
  }
  return true;
}

function outputPath(source: string, replacements: Record<string, string>): string {
  let out = source.endsWith('.ejs') ? source.slice(0, -4) : source;
  for (const [segment, value] of Object.entries(replacements)) out = out.split(segment).join(value);
  return out
    .split('/')
    .map((part) => (part.startsWith('_') && !part.startsWith('__') ? `.${part.slice(1)}` : part))
    .join('/');
}

export interface RenderUnit {
  path: string;
  /** The template it renders (path relative to templates/). */
  template: string;
  /** Copied as is from a non-EJS template (kept prettier-formatted in the repository; see test/unit/templates.test.ts). */
  verbatim: boolean;
  render(): string;
}

/** A dotted path (`plan.entities`, `service.migrations`) read from the locals. */
function lookup(locals: Record<string, unknown>, dotted: string): unknown {
  let value: unknown = locals;
  for (const key of dotted.split('.')) value = value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[key];
  return value;
}

/** Every combination of items for the expansions a template path names, left to right. */
function expand(source: string, expansions: Expansion[], locals: Record<string, unknown>, replacements: Record<string, string>): { locals: Record<string, unknown>; replacements: Record<string, string> }[] {
  const pending = expansions
    .filter((e) => source.includes(e.segment) && !(e.segment in replacements))
    .sort((a, b) => source.indexOf(a.segment) - source.indexOf(b.segment));
  const next = pending[0];
  if (!next) return [{ locals, replacements }];
  const items = lookup(locals, next.items);
  if (!Array.isArray(items)) throw new Error(`Template ${source}: expansion ${next.segment} reads ${next.items}, which is not a list in the plan`);
  return items.flatMap((item: unknown) => {
    const name = String((item as Record<string, unknown>)[next.name]).replace(/\.sql$/, '');
    return expand(source, expansions, { ...locals, [next.local]: item }, { ...replacements, [next.segment]: name });
  });
}

/** Expand the blueprint's templates over the plan: one unit per output file. */
export function renderUnits(blueprint: LoadedBlueprint, plan: Plan): RenderUnit[] {
  const units: RenderUnit[] = [];
  const localNames = ['plan', 'esc', 'layout', ...new Set(blueprint.expansions.map((e) => e.local))];
  for (const template of blueprint.templates) {
    if (!featureEnabled(blueprint.manifest, plan, template.source)) continue;
    const isEjs = template.source.endsWith('.ejs');
    const compiled = isEjs ? compile(template, localNames) : undefined;
    // A template mounted with a plan part sees that part's fields over the plan's (e.g. the offloaded jobs as `plan.jobs`).
    const part = template.planPart ? (plan as unknown as Record<string, unknown>)[template.planPart] : undefined;
    if (template.planPart && (part === null || typeof part !== 'object'))
      throw new UserError(`blueprint.json mounts: template ${template.source} is mounted with plan part "${template.planPart}", which the plan does not have (the planner returns no such key)`);
    const seen = part ? ({ ...plan, ...part } as Plan) : plan;
    for (const { locals, replacements } of expand(template.source, blueprint.expansions, { plan: seen, esc: escapers, layout }, {})) {
      units.push({
        path: outputPath(template.source, replacements),
        template: template.source,
        verbatim: !isEjs,
        render: () => (compiled ? compiled(locals) : template.content),
      });
    }
  }
  return units;
}

/**
 * One EJS template rendered with the options the pipeline renders every template with (strict, locals
 * destructured): the `render-ejs` action of plopfiles (generators/plop/actions.ts) prints this way too.
 */
export function renderTemplateText(content: string, filename: string, locals: Record<string, unknown>): string {
  return ejs.compile(content, { filename, strict: true, localsName: 'it', destructuredLocals: Object.keys(locals) })(locals);
}

/**
 * Compiled without EJS's debug instrumentation (a line counter updated before every statement, a
 * try/catch around the template): about a third less to compile and to run. An error is then
 * reproduced with the instrumented compile, whose message names the template line.
 */
function compile(template: TemplateFile, localNames: string[]): ejs.TemplateFunction {
  const options = { filename: path.join(template.root, template.source), strict: true, localsName: 'it', destructuredLocals: localNames };
  const instrumented = () => {
    try {
      return ejs.compile(template.content, { ...options, compileDebug: true });
    } catch (err) {
      throw new Error(`Template ${template.source} does not compile: ${(err as Error).message}`);
    }
  };
  let fast: ejs.TemplateFunction;
  try {
    fast = ejs.compile(template.content, { ...options, compileDebug: false });
  } catch {
    return instrumented();
  }
  return (locals) => {
    try {
      return fast(locals);
    } catch {
      return instrumented()(locals);
    }
  };
}

export interface RenderedBlueprint {
  /** path → content */
  files: Map<string, string>;
  /**
   * Paths prettier can skip: copied verbatim from templates stored formatted, or rendered by a template
   * certified to print formatted code (formatted-templates.ts) when the cheap guard finds nothing unusual.
   */
  preformatted: Set<string>;
}

/** Render every file of a blueprint for a plan. */
export async function renderBlueprint(resolved: Pick<ResolvedBlueprint, 'manifest' | 'templateDirs' | 'mountedTemplateDirs'>, plan: Plan): Promise<RenderedBlueprint> {
  const blueprint = await loadBlueprint(resolved);
  const files = new Map<string, string>();
  const preformatted = new Set<string>();
  const certified = certifiedTemplates(resolved.manifest.id, BUILT_IN_ROOT);
  const candidates: { path: string; template: TemplateFile }[] = [];
  const bySource = new Map(blueprint.templates.map((t) => [t.source, t]));
  for (const unit of renderUnits(blueprint, plan)) {
    try {
      files.set(unit.path, unit.render());
    } catch (err) {
      throw new Error(`Template for ${unit.path} failed to render: ${(err as Error).message}`);
    }
    const template = bySource.get(unit.template)!;
    if (unit.verbatim) preformatted.add(unit.path);
    else if (certified.has(path.join(template.root, template.source))) candidates.push({ path: unit.path, template });
  }
  if (candidates.length) {
    const printWidth = printWidthOf(files.get('.prettierrc.json'));
    for (const c of candidates) {
      const text = printWidth ? withoutPrettier(c.path, files.get(c.path)!, printWidth, c.template.content) : undefined;
      if (text === undefined) continue;
      files.set(c.path, text);
      preformatted.add(c.path);
    }
  }
  return { files, preformatted };
}

/** The generated prettier config's printWidth (prettier's default 80 when unset); undefined when unreadable: format everything. */
function printWidthOf(config: string | undefined): number | undefined {
  if (config === undefined) return undefined;
  try {
    const width = (JSON.parse(config) as { printWidth?: unknown }).printWidth ?? 80;
    return typeof width === 'number' ? width : undefined;
  } catch {
    return undefined;
  }
}
