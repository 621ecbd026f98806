/**
 * Template discovery and EJS rendering for a blueprint folder. Conventions:
 *  - files under `<blueprint>/templates/`; a `.ejs` suffix means "render with EJS" (the suffix is dropped),
 *    anything else is copied as is;
 *  - a path segment `[entity]` renders the file once per entity (the segment becomes entity.moduleDir,
 *    the `entity` local is set), `[job]` once per job (job.name, local `job`), `[migration]` once per
 *    migration (migration.fileName without .sql, local `migration`);
 *  - a leading `_` on a dotfile name (`_gitignore`) becomes `.` (npm drops real dotfiles when publishing);
 *  - blueprint.json maps optional features to the template paths they own.
 * Templates get `plan`, the per-item local and `esc` (the escapers of render/escape.ts: every value from
 * a spec is printed through the one for its context); they print, they do not compute.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { EntityPlan, JobPlan, MigrationPlan, Plan } from '../plan/types.js';
import { FEATURE_IDS } from '../blueprints/registry.js';
import { escapers } from './escape.js';

export const blueprintManifestSchema = z.strictObject({
  id: z.string(),
  title: z.string(),
  /** Template paths (relative to templates/, prefix match on folders) that only render when a feature is on. */
  features: z.partialRecord(z.enum(FEATURE_IDS), z.array(z.string().min(1))).default({}),
});
export type BlueprintManifest = z.output<typeof blueprintManifestSchema>;

export interface TemplateFile {
  /** Path relative to templates/, with `/` separators. */
  source: string;
  content: string;
}

export interface LoadedBlueprint {
  dir: string;
  manifest: BlueprintManifest;
  templates: TemplateFile[];
}

const cache = new Map<string, Promise<LoadedBlueprint>>();

export function loadBlueprint(dir: string): Promise<LoadedBlueprint> {
  let loaded = cache.get(dir);
  if (!loaded) {
    loaded = readBlueprint(dir);
    cache.set(dir, loaded);
  }
  return loaded;
}

async function readBlueprint(dir: string): Promise<LoadedBlueprint> {
  const manifestFile = path.join(dir, 'blueprint.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestFile, 'utf8'));
  } catch (err) {
    throw new UserError(`Cannot read blueprint manifest ${manifestFile}: ${(err as Error).message}`);
  }
  const parsed = blueprintManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new UserError(`Invalid blueprint manifest ${manifestFile}: ${first.path.join('.')}: ${first.message}`);
  }
  const root = path.join(dir, 'templates');
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const templates = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const full = path.join(e.parentPath, e.name);
        return { source: path.relative(root, full).split(path.sep).join('/'), content: await readFile(full, 'utf8') };
      }),
  );
  templates.sort((a, b) => a.source.localeCompare(b.source));
  return { dir, manifest: parsed.data, templates };
}

function featureEnabled(manifest: BlueprintManifest, plan: Plan, source: string): boolean {
  for (const [feature, owned] of Object.entries(manifest.features)) {
    if (owned?.some((p) => source === p || source.startsWith(p.endsWith('/') ? p : `${p}/`)) && !plan.features[feature as keyof Plan['features']])
      return false;
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

interface RenderUnit {
  path: string;
  /** Copied as is from a non-EJS template (kept prettier-formatted in the repository; see test/unit/templates.test.ts). */
  verbatim: boolean;
  render(): string;
}

/** Expand the blueprint's templates over the plan: one unit per output file. */
export function renderUnits(blueprint: LoadedBlueprint, plan: Plan): RenderUnit[] {
  const units: RenderUnit[] = [];
  for (const template of blueprint.templates) {
    if (!featureEnabled(blueprint.manifest, plan, template.source)) continue;
    const isEjs = template.source.endsWith('.ejs');
    const compiled = isEjs ? compile(template, blueprint.dir) : undefined;
    const make = (locals: Record<string, unknown>, replacements: Record<string, string>): RenderUnit => ({
      path: outputPath(template.source, replacements),
      verbatim: !isEjs,
      render: () => (compiled ? compiled({ plan, esc: escapers, ...locals }) : template.content),
    });
    if (template.source.includes('[entity]')) {
      for (const entity of plan.entities) units.push(make({ entity } satisfies { entity: EntityPlan }, { '[entity]': entity.moduleDir }));
    } else if (template.source.includes('[job]')) {
      for (const job of plan.jobs) units.push(make({ job } satisfies { job: JobPlan }, { '[job]': job.name }));
    } else if (template.source.includes('[migration]')) {
      for (const migration of plan.migrations)
        units.push(make({ migration } satisfies { migration: MigrationPlan }, { '[migration]': migration.fileName.replace(/\.sql$/, '') }));
    } else {
      units.push(make({}, {}));
    }
  }
  return units;
}

function compile(template: TemplateFile, dir: string): ejs.TemplateFunction {
  try {
    return ejs.compile(template.content, { filename: path.join(dir, 'templates', template.source), strict: true, localsName: 'it', destructuredLocals: ['plan', 'esc', 'entity', 'job', 'migration'] });
  } catch (err) {
    throw new Error(`Template ${template.source} does not compile: ${(err as Error).message}`);
  }
}

export interface RenderedBlueprint {
  /** path → content */
  files: Map<string, string>;
  /** Paths copied verbatim from templates that are stored already formatted: prettier can skip them. */
  preformatted: Set<string>;
}

/** Render every file of a blueprint for a plan. */
export async function renderBlueprint(dir: string, plan: Plan): Promise<RenderedBlueprint> {
  const blueprint = await loadBlueprint(dir);
  const files = new Map<string, string>();
  const preformatted = new Set<string>();
  for (const unit of renderUnits(blueprint, plan)) {
    try {
      files.set(unit.path, unit.render());
    } catch (err) {
      throw new Error(`Template for ${unit.path} failed to render: ${(err as Error).message}`);
    }
    if (unit.verbatim) preformatted.add(unit.path);
  }
  return { files, preformatted };
}
