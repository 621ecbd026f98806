/**
 * A blueprint's manifest (`blueprint.json` in its folder): who it is and what it declares, validated
 * with zod. The code (planner, checklist, runtime adapter, post-tasks) lives in the module the manifest
 * names (`main`, default `index.js`): plain ESM JavaScript, so an external blueprint runs on Node 20
 * without a build step.
 */
import { z } from 'zod';

/** A blueprint id: kebab-case, like an npm package name without a scope. Validated wherever one is read. */
export const BLUEPRINT_ID = /^[a-z][a-z0-9-]{0,63}$/;
export const blueprintIdSchema = z.string().regex(BLUEPRINT_ID, {
  error: 'expected a blueprint id: a lower-case letter, then lower-case letters, digits or -, at most 64 characters',
});

/** What `--blueprint` accepts beside an id: a path (./x, ../x, /x) or an npm package name (@scope/x, x). */
export const blueprintRefSchema = z.string().min(1).max(300);

export const featureSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, { error: 'expected a kebab-case feature id' }),
  title: z.string().min(1),
  /** Template paths (relative to templates/, prefix match on folders) that only render when the feature is on. */
  paths: z.array(z.string().min(1)).default([]),
});

/**
 * A path expansion: a template path segment like `[service]` renders the file once per item of a list
 * in the plan. `items` is a dotted path read from the template locals (`plan.services`, or an outer
 * expansion's local such as `service.migrations`); `name` is the item field that replaces the segment
 * (a `.sql` suffix is dropped); `local` is the name the template sees the item under.
 */
export const expansionSchema = z.strictObject({
  segment: z.string().regex(/^\[[a-z][a-z0-9-]*\]$/, { error: 'expected a segment like "[service]"' }),
  items: z.string().regex(/^[a-zA-Z_$][\w$]*(\.[a-zA-Z_$][\w$]*)*$/, { error: 'expected a dotted path such as "plan.services"' }),
  name: z.string().min(1),
  local: z.string().regex(/^[a-zA-Z_$][\w$]*$/, { error: 'expected a JavaScript identifier' }),
});
export type Expansion = z.output<typeof expansionSchema>;

export const questionSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-zA-Z0-9]{0,39}$/, { error: 'expected a camelCase option id' }),
  message: z.string().min(1),
  /** The choices; the answer is one of their values. Without choices the answer is free text. */
  choices: z.array(z.strictObject({ value: z.string().min(1), name: z.string().optional() })).optional(),
  default: z.string(),
});
export type Question = z.output<typeof questionSchema>;

export const blueprintManifestSchema = z.strictObject({
  id: blueprintIdSchema,
  title: z.string().min(1),
  summary: z.string().default(''),
  /** Recorded in generated projects; default: the package.json beside it, or the generator's for a built-in. */
  version: z.string().min(1).optional(),
  /** Another blueprint this one builds on: a built-in id or a path relative to this folder. */
  extends: blueprintRefSchema.optional(),
  /** The blueprint's module (planner, checklist, runtime adapter), relative to this folder. */
  main: z.string().min(1).default('index.js'),
  /** Its plopfile, relative to this folder: generators run in projects as `backend-arch generate NAME` (default: plopfile.js when present). */
  plopfile: z.string().min(1).optional(),
  /** false: listed (the prompt shows it disabled) but not generated yet. */
  available: z.boolean().default(true),
  questions: z.array(questionSchema).default([]),
  /** Optional parts, in prompt order; all are on unless the answers say otherwise. */
  features: z.array(featureSchema).default([]),
  /** Path expansions beyond the built-in [entity], [job] and [migration] (or replacing one of them). */
  expansions: z.array(expansionSchema).default([]),
  /**
   * Template folders (relative to this folder) rendered before its own templates/, so two blueprints can
   * print a blueprint-neutral file (SQL, migrations, escapers) from one template; its own file with the
   * same path wins. The built-in ones share blueprints/_shared/templates.
   */
  sharedTemplates: z.array(z.string().min(1)).default([]),
  /** Spec constructs beyond the core that its templates implement (a spec using another one is refused). */
  supports: z.array(z.enum(['tenancy'])).default([]),
  /**
   * Tables its planner creates itself beside the entity tables (built-in tables, its migration tool's
   * table): a spec entity with one of these names is refused when this blueprint is chosen.
   */
  tables: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, { error: 'expected a snake_case table name' })).default([]),
  /**
   * First path segments its generated API serves itself (`auth`, `health` …): a spec entity named so,
   * or whose plural (its route) is, is refused when this blueprint is chosen; merged under `extends`.
   */
  routes: z.array(z.string().regex(/^[a-z][a-z0-9._-]*$/, { error: 'expected a lower-case path segment' })).default([]),
  /** The engines and servers its generated projects need (documentation, and what verify starts). */
  engines: z.array(z.string().min(1)).default([]),
  /**
   * For a blueprint with a database per service: how entities are grouped into services when the spec
   * declares no `services:` ("per-entity": one service each). Absent: no services unless the spec has them.
   */
  defaultServices: z.enum(['per-entity']).optional(),
  /**
   * Templates of the extended blueprint rendered at another path (prefix match on folders): reuse a
   * parent's template under a per-service path instead of copying it, e.g.
   * { "from": "migrations/[migration].sql.ejs", "to": "migrations/[stream]/[migration].sql.ejs" }.
   */
  mounts: z
    .array(
      z.strictObject({
        from: z.string().min(1),
        to: z.string().min(1),
        /**
         * Take the template from another blueprint (a built-in id, a path relative to this folder, or a
         * package) instead of the extended one: its templates (and its sharedTemplates) matching `from` are
         * rendered at `to`, in addition to this blueprint's own files. How the hybrid blueprint renders the
         * serverless blueprint's queue consumer under functions/ without copying it.
         */
        blueprint: blueprintRefSchema.optional(),
        /**
         * A plan part (a key of the plan) whose fields replace the plan's for these templates: the mounted
         * templates see `{ ...plan, ...plan[plan] }`, e.g. the jobs and queues of the offloaded half.
         */
        plan: z.string().regex(/^[a-zA-Z_$][\w$]*$/, { error: 'expected a plan key (a JavaScript identifier)' }).optional(),
      }),
    )
    .default([]),
  /** Templates of the extended blueprint this one does not render (paths, prefix match on folders ending in /). */
  exclude: z.array(z.string().min(1)).default([]),
});
export type BlueprintManifest = z.output<typeof blueprintManifestSchema>;

/** Expansions every blueprint has; a blueprint may add more or redefine one by its segment. */
export const BUILT_IN_EXPANSIONS: Expansion[] = [
  { segment: '[entity]', items: 'plan.entities', name: 'moduleDir', local: 'entity' },
  { segment: '[job]', items: 'plan.jobs', name: 'name', local: 'job' },
  { segment: '[migration]', items: 'plan.migrations', name: 'fileName', local: 'migration' },
];
