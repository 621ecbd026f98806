/** The commands a generated project's docs, Dockerfile and CI print for the chosen package manager. */
import type { PackageManager, PackageManagerCommands } from './types.js';

export const PACKAGE_MANAGER_COMMANDS: Record<PackageManager, PackageManagerCommands> = {
  npm: {
    name: 'npm',
    install: 'npm install',
    ci: 'npm ci --no-audit --no-fund',
    ciProduction: 'npm ci --omit=dev --no-audit --no-fund',
    run: 'npm run',
    lockfile: 'package-lock.json',
    setup: null,
  },
  pnpm: {
    name: 'pnpm',
    install: 'pnpm install',
    ci: 'pnpm install --frozen-lockfile',
    ciProduction: 'pnpm install --frozen-lockfile --prod',
    run: 'pnpm run',
    lockfile: 'pnpm-lock.yaml',
    setup: 'corepack enable pnpm',
  },
  yarn: {
    name: 'yarn',
    install: 'yarn install',
    ci: 'yarn install --frozen-lockfile',
    ciProduction: 'yarn install --frozen-lockfile --production',
    run: 'yarn run',
    lockfile: 'yarn.lock',
    setup: 'corepack enable yarn',
  },
};
