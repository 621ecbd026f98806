/**
 * What the checks read: the project AS IT IS ON DISK (files, migrations, sources), plus the plan
 * re-derived from the manifest (what SHOULD exist: entities, access patterns, jobs, metrics). Every
 * derived model is computed once, on first use, and shared by the checks that run in parallel.
 */
import { Memo } from '../core/memo.js';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import { resolveProjectBlueprint } from '../packs/registry.js';
import { readManifest, type Manifest } from '../core/manifest.js';
import { planInputFrom } from '../plan/input.js';
import { planProject } from '../plan/plan.js';
import type { Plan } from '../plan/types.js';
import { buildSchema, migrationOrder, type SchemaModel } from './analysis/schema.js';
import { Sources } from './analysis/source.js';
import { extractRoutes, type RouteModel } from './analysis/routes.js';
import { checksFor } from './registry.js';
import type { Check } from './types.js';

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', 'coverage', '.backend-arch', '.wrangler']);

export class ProjectContext {
  private readonly memo = new Memo();

  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    readonly blueprint: ResolvedBlueprint,
    readonly plan: Plan,
    /** Every project file (relative, `/`), excluding node_modules, dist, .git. */
    readonly files: string[],
  ) {}

  static async load(dir: string): Promise<ProjectContext> {
    const root = path.resolve(dir);
    const manifest = await readManifest(root);
    const blueprint = await resolveProjectBlueprint(manifest, { dir: root });
    const plan = planProject(planInputFrom(manifest.answers, manifest.spec, manifest.generator.version), blueprint);
    return new ProjectContext(root, manifest, blueprint, plan, await listFiles(root));
  }

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /** The project's checklist (the shared checks its blueprint selects, its own, its packs'), so a check can consult another by id. */
  checklist(): Check[] {
    return checksFor(this.blueprint);
  }

  has(file: string): boolean {
    return this.files.includes(file);
  }

  abs(file: string): string {
    return path.join(this.dir, file);
  }

  read(file: string): Promise<string | undefined> {
    return this.once(`file:${file}`, async () => (existsSync(this.abs(file)) ? readFile(this.abs(file), 'utf8') : undefined));
  }

  /** Migration files on disk in every stream's folder (stream by stream, each in the order its runner applies them). */
  get migrationFiles(): string[] {
    return this.plan.migrationStreams.flatMap((stream) => this.files.filter((f) => f.startsWith(`${stream.dir}/`) && /^[^/]+\.sql$/.test(f.slice(stream.dir.length + 1))).sort(migrationOrder));
  }

  schema(): Promise<SchemaModel> {
    return this.once('schema', async () => buildSchema(await Promise.all(this.migrationFiles.map(async (file) => ({ file, text: (await this.read(file))! })))));
  }

  sources(): Promise<Sources> {
    return this.once('sources', async () => {
      const tsFiles = this.files.filter((f) => /^(src|scripts)\/.*\.(m?ts)$/.test(f) && !f.endsWith('.d.ts'));
      return new Sources(await Promise.all(tsFiles.map(async (file) => ({ file, text: (await this.read(file))! }))));
    });
  }

  routes(): Promise<RouteModel[]> {
    return this.once('routes', async () => extractRoutes(await this.sources()));
  }

  /** A YAML file parsed, with a function giving the line of a node (by its range). */
  yaml(file: string): Promise<{ data: unknown; lineOf: (offset: number) => number } | undefined> {
    return this.once(`yaml:${file}`, async () => {
      const text = await this.read(file);
      if (text === undefined) return undefined;
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter });
      return { data: doc.toJS() as unknown, lineOf: (offset: number) => lineCounter.linePos(offset).line };
    });
  }

  /** package.json of the project. */
  packageJson(): Promise<{ scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined> {
    return this.once('package.json', async () => {
      const text = await this.read('package.json');
      return text ? (JSON.parse(text) as { scripts?: Record<string, string> }) : undefined;
    });
  }

  /** Entry source file of a script ("start": "node dist/main.js" → src/main.ts). */
  async entryOf(script: string, fallback: string): Promise<string> {
    const cmd = (await this.packageJson())?.scripts?.[script] ?? '';
    const m = /\bdist\/(\S+)\.js\b/.exec(cmd) ?? /\bsrc\/(\S+)\.ts\b/.exec(cmd);
    return m ? `src/${m[1]}.ts` : fallback;
  }

  featureOn(feature: keyof Plan['features']): boolean {
    return this.plan.features[feature] === true;
  }
}

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(path.join(root, dir), { withFileTypes: true });
    await Promise.all(
      entries.map(async (e) => {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) await walk(rel);
        } else if (e.isFile()) out.push(rel);
      }),
    );
  };
  await walk('');
  return out.sort();
}

