/**
 * Which package managers can run the install step: the ones on PATH, and among them the one that
 * launched us (`npm create` / `pnpm create` / `yarn create` set npm_config_user_agent, the way
 * create-t3-app's getUserPkgManager reads it). Checked before anything is written, so a missing
 * package manager is a clear error up front instead of a failure after the project is on disk.
 */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import type { Answers } from '../core/manifest.js';

export type PackageManagerId = Answers['packageManager'];
export const PACKAGE_MANAGER_IDS: readonly PackageManagerId[] = ['npm', 'pnpm', 'yarn'];

/** The package manager named first in npm_config_user_agent ("pnpm/9.12.0 npm/? node/v20.19.0 linux x64"). */
export function launchingPackageManager(env: NodeJS.ProcessEnv): PackageManagerId | undefined {
  const agent = env.npm_config_user_agent?.split(' ')[0]?.split('/')[0];
  return PACKAGE_MANAGER_IDS.find((pm) => pm === agent);
}

/** The package managers found as executables on PATH, in PACKAGE_MANAGER_IDS order. */
export async function installedPackageManagers(env: NodeJS.ProcessEnv): Promise<PackageManagerId[]> {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const suffixes = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
  const found = await Promise.all(
    PACKAGE_MANAGER_IDS.map(async (pm) => {
      for (const dir of dirs)
        for (const suffix of suffixes) if (await isExecutable(path.join(dir, pm + suffix))) return pm;
      return undefined;
    }),
  );
  return found.filter((pm): pm is PackageManagerId => pm !== undefined);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The default: the launching package manager when it is installed, else npm when installed, else the first one found. */
export function defaultPackageManager(installed: readonly PackageManagerId[], env: NodeJS.ProcessEnv): PackageManagerId {
  const launcher = launchingPackageManager(env);
  if (launcher && installed.includes(launcher)) return launcher;
  return installed.includes('npm') ? 'npm' : (installed[0] ?? 'npm');
}
