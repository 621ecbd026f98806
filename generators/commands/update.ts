/**
 * `backend-arch update [--spec FILE]`: re-render after a spec change (edited in the manifest, or given
 * as a file) or a generator upgrade, and 3-way merge with the user's edits (regen/run.ts).
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { Io } from '../cli/io.js';
import { loadSpecFile } from '../domain/load.js';
import { validateSpecValue } from '../domain/load.js';
import { MANIFEST_PATH } from '../core/manifest.js';
import { runRegen } from '../regen/run.js';
import { replaceSpecChange } from '../regen/spec-change.js';
import { finish, regenFlags, type CommonFlags } from './add.js';

export function registerUpdateCommand(program: Command, io: Io): void {
  program
    .command('update')
    .description('Re-render after a spec change or a generator upgrade, merging with your edits (new schema changes become a new migration)')
    .option('--spec <file>', `the new domain spec (default: the "spec" in ${MANIFEST_PATH}, which you may edit)`)
    .option('--dir <dir>', 'the project directory (default: the current directory)')
    .option('--dry-run', 'print a unified diff of every change and write nothing')
    .option('--allow-dirty', 'run even if the git working tree has uncommitted changes')
    .option('--allow-destructive', 'generate a migration even for destructive changes (drop, type change, …)')
    .option('--existing-tenant <uuid>', 'when the change turns multi-tenancy on: the tenant every existing row and account is given')
    .option('--json', 'print a machine-readable result')
    .option('--verbose', 'also list unchanged files')
    .action(async (flags: CommonFlags & { spec?: string; existingTenant?: string }) => {
      const fromFile = flags.spec ? await loadSpecFile(path.resolve(io.cwd, flags.spec), flags.spec) : undefined;
      const result = await runRegen({
        ...regenFlags(io, flags),
        generator: 'update',
        ...(flags.existingTenant !== undefined ? { existingTenant: flags.existingTenant } : {}),
        specFromManifest: fromFile === undefined,
        change: (manifest) =>
          fromFile
            ? replaceSpecChange(fromFile, flags.spec!)
            : replaceSpecChange(validateSpecValue(manifest.spec, `${MANIFEST_PATH} (spec)`), `${MANIFEST_PATH} (spec)`),
      });
      finish(result, io, flags);
    });
}
