/**
 * The project's record, assembled in one place for `new`, `add` and `update`: the manifest
 * (`.backend-arch/manifest.json`: blueprint and where it came from, answers, spec, migrations per
 * stream, a hash per generated file) and the base snapshot for later 3-way merges.
 */
import path from 'node:path';
import type { ResolvedBlueprint } from '../blueprints/contract.js';
import { MANIFEST_PATH, fileHashes, serializeManifest, type Answers, type Manifest } from '../core/manifest.js';
import type { Tree } from '../core/tree.js';
import type { Spec } from '../domain/schema.js';
import type { MigrationStreamPlan, Plan } from '../plan/types.js';
import { encodeSnapshot, snapshotFiles, SNAPSHOT_PATH } from '../regen/snapshot.js';

export interface RecordInput {
  answers: Answers;
  spec: Spec;
  blueprint: ResolvedBlueprint;
  plan: Plan;
  /** Generated content by path (formatted), migrations included. */
  files: Map<string, string>;
  /** sha256 of the template output before prettier, by path (see regen/snapshot.ts). */
  raw: Record<string, string>;
  /** The hash record for the manifest; default: the hashes of `files`. (add/update: what the merge kept.) */
  hashes?: Manifest['files'];
}

/** Project-relative paths of every migration file of every stream. */
export function migrationPaths(streams: Pick<MigrationStreamPlan, 'dir' | 'migrations'>[]): Set<string> {
  return new Set(streams.flatMap((s) => s.migrations.map((m) => `${s.dir}/${m.fileName}`)));
}

/** Writes the manifest and the snapshot into the tree; returns the manifest. */
export function writeRecord(tree: Tree, input: RecordInput): Manifest {
  const { answers, spec, blueprint, plan } = input;
  const [first, ...others] = plan.migrationStreams;
  const source = blueprint.source.kind === 'path' ? { ...blueprint.source, ref: relativeRef(tree.root, blueprint.source.ref!) } : blueprint.source;
  const manifest: Manifest = {
    schemaVersion: 1,
    generator: { name: plan.generator.name, version: plan.generator.version },
    blueprint: blueprint.id,
    answers,
    spec,
    migrations: (first?.migrations ?? []).map((m) => m.fileName),
    files: input.hashes ?? fileHashes(input.files.entries()),
    blueprintSource: source,
    ...(blueprint.pack ? { pack: { ...blueprint.pack.source, ...(blueprint.pack.source.kind === 'path' ? { ref: relativeRef(tree.root, blueprint.pack.source.ref) } : {}) } } : {}),
    ...(others.length ? { migrationStreams: Object.fromEntries(others.map((s) => [s.id, s.migrations.map((m) => m.fileName)])) } : {}),
  };
  // The base for later 3-way merges (add/update), also after a generator upgrade: see regen/snapshot.ts.
  const base = snapshotFiles(input.files.entries(), migrationPaths(plan.migrationStreams));
  const migrations = plan.migrationStreams.flatMap((s, i) => s.migrations.map(({ fileName, title }) => ({ fileName, title, ...(i > 0 ? { stream: s.id } : {}) })));
  tree.write(MANIFEST_PATH, serializeManifest(manifest));
  tree.write(SNAPSHOT_PATH, encodeSnapshot({ generatorVersion: plan.generator.version, spec, migrations, files: base, raw: input.raw }));
  return manifest;
}

/**
 * A blueprint folder as the project records it: relative to the project when it lives inside it or
 * near it (a checkout that holds both moves as one), absolute otherwise.
 */
export function relativeRef(projectDir: string, dir: string): string {
  const rel = path.relative(projectDir, dir).split(path.sep).join('/');
  if (rel === '') return '.';
  return /^(\.\.\/){3,}/.test(`${rel}/`) || path.isAbsolute(rel) ? dir : rel;
}
