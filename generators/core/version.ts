import { readFileSync } from 'node:fs';

/** The generator package's root (works from dist/ and from generators/ under vitest). */
export const PACKAGE_ROOT = new URL('../../', import.meta.url);

export const GENERATOR_VERSION: string = (
  JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }
).version;

export function blueprintDir(id: string): string {
  return new URL(`blueprints/${id}`, PACKAGE_ROOT).pathname;
}

export const EXAMPLE_SPEC_PATH = new URL('blueprints/examples/acme-tasks.yaml', PACKAGE_ROOT).pathname;
