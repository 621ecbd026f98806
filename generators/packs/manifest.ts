/**
 * A workshop pack's manifest (`pack.json` in its folder or npm package), validated with zod. A pack
 * extends a blueprint (built in, a path, a package) or another pack, and adds what an instructor ships:
 * presets a student starts from, template overrides and additions (its `templates/` folder, by path,
 * exactly like a blueprint that extends another), extra questions, exercises, and its own checks.
 */
import { z } from 'zod';
import { answersSchema } from '../core/manifest.js';
import { blueprintRefSchema, questionSchema } from '../blueprints/manifest.js';

export const PACK_MANIFEST = 'pack.json';

/** A pack name: an npm-style name (it is also the prefix of its check ids). */
export const packNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, {
  error: 'expected a kebab-case name: a lower-case letter, then lower-case letters, digits or -',
});

/** One exercise (or learning goal): its checks say whether it is done. */
export const exerciseSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'expected a kebab-case exercise id such as "1-overdue-index"' }),
  title: z.string().min(1),
  /** What the student learns or must achieve (printed with the exercise). */
  goal: z.string().default(''),
});
export type Exercise = z.output<typeof exerciseSchema>;

/** A starting point: a spec file (relative to the pack) and answers (features, options, package manager). */
export const presetSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, { error: 'expected a kebab-case preset name such as "rental-shop-day-1"' }),
  title: z.string().default(''),
  spec: z.string().min(1),
  answers: answersSchema.pick({ packageManager: true, features: true, options: true }).partial().default({}),
});
export type Preset = z.output<typeof presetSchema>;

export const packManifestSchema = z.strictObject({
  name: packNameSchema,
  /** Recorded in every project; default: the version of the package.json beside it (an npm package's). */
  version: z.string().regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, { error: 'expected a semantic version such as "1.0.0"' }).optional(),
  title: z.string().default(''),
  /** A built-in blueprint id, a path (relative to the pack) to a blueprint or to another pack, or an npm package of either. */
  extends: blueprintRefSchema,
  presets: z.array(presetSchema).default([]),
  /** Template overrides and additions, by path, rendered into the same tree (default: templates/). */
  templates: z.string().min(1).default('templates'),
  /** Questions beyond the blueprint's; answers land in plan.options like a blueprint's. */
  questions: z.array(questionSchema).default([]),
  exercises: z.array(exerciseSchema).default([]),
  /** The module whose default export returns the pack's checks: `(kit) => Check[]` (default: checks.js). */
  checks: z.string().min(1).default('checks.js'),
  /** The pack's plopfile: its generators run in projects as `backend-arch generate NAME` (default: plopfile.js when present; generators/plop/). */
  plopfile: z.string().min(1).optional(),
  /** The module of the pack's own tests, run by `backend-arch pack test` (default: test/cases.js). */
  tests: z.string().min(1).default('test/cases.js'),
});
export type PackManifest = z.output<typeof packManifestSchema>;
