/** Post-task: install the generated project's dependencies with the chosen package manager. */
import { UserError } from '../core/errors.js';

export async function installDependencies(dir: string, packageManager: 'npm' | 'pnpm' | 'yarn', env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // Loaded on demand: generation (and --version, --help, dry runs) should not pay for it.
  const { execa } = await import('execa');
  const args = packageManager === 'npm' ? ['install', '--no-audit', '--no-fund'] : ['install'];
  // The same environment (PATH) in which the package manager was found installed.
  const result = await execa(packageManager, args, { cwd: dir, reject: false, all: true, extendEnv: false, env: { ...env, CI: env.CI ?? '' } });
  if (result.failed) {
    const notFound = (result as { code?: string }).code === 'ENOENT';
    const tail = (result.all ?? '').split('\n').slice(-15).join('\n');
    throw new UserError(
      notFound
        ? `${packageManager} is not installed (needed to install the generated project's dependencies).`
        : `${packageManager} install failed in ${dir} (exit ${result.exitCode}):\n${tail}`,
      { hint: `The project was generated. Fix the problem, then run \`${packageManager} install\` in ${dir}; or pass --no-install.` },
    );
  }
}
