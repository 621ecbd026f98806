/**
 * Prettier on the tree before anything is written (Nx's formatFiles), using the prettier config the
 * blueprint generated for the project. A file prettier cannot parse is a generator bug: fail loudly.
 */
import type { Options } from 'prettier';
import type { Tree } from '../core/tree.js';

const FORMATTED = /\.(ts|mts|cts|js|mjs|cjs|json|md|ya?ml)$/;
const SKIPPED = new Set(['package-lock.json']);

export async function formatTree(tree: Tree, files: string[] = tree.writtenPaths()): Promise<void> {
  const { default: prettier } = await import('prettier');
  const configText = tree.read('.prettierrc.json');
  const config: Options = configText ? (JSON.parse(configText) as Options) : {};
  await Promise.all(
    files
      .filter((f) => FORMATTED.test(f) && !SKIPPED.has(f.split('/').pop()!))
      .map(async (file) => {
        const source = tree.read(file);
        if (source === undefined) return;
        try {
          tree.write(file, await prettier.format(source, { ...config, filepath: file }));
        } catch (err) {
          throw new Error(`prettier could not format generated file ${file}: ${(err as Error).message.split('\n')[0]}`);
        }
      }),
  );
}
