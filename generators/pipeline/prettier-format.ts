/**
 * Formatting one batch of files with prettier: the code shared by the formatter thread and the
 * in-process fallback. A file prettier cannot parse is a generator bug: the error names it.
 */
import type { Options } from 'prettier';

export interface FormatJob {
  file: string;
  source: string;
}

export async function formatBatch(jobs: FormatJob[], config: Options): Promise<FormatJob[]> {
  const { default: prettier } = await import('prettier');
  return Promise.all(
    jobs.map(async ({ file, source }) => {
      try {
        return { file, source: await prettier.format(source, { ...config, filepath: file, ...parserFor(file) }) };
      } catch (err) {
        throw new Error(`prettier could not format generated file ${file}: ${(err as Error).message.split('\n')[0]}`);
      }
    }),
  );
}

/**
 * TypeScript through prettier's babel-ts parser: it loads and parses about a third faster than the
 * typescript parser and prints the same code for what the templates emit (the end-to-end test runs
 * `prettier --check` with the default parser on generated projects to keep that true).
 */
function parserFor(file: string): { parser?: string } {
  return file.endsWith('.ts') ? { parser: 'babel-ts' } : {};
}
