/** A spec text's validation issues as "line:path: message" strings; throws if the spec is accepted. */
import { InvalidInputError } from '../../generators/core/errors.js';
import { parseSpecText } from '../../generators/domain/load.js';

export function issuesOf(text: string, file = 'spec.yaml'): string[] {
  try {
    parseSpecText(text, file);
  } catch (err) {
    if (err instanceof InvalidInputError) return err.issues.map((i) => `${i.line ?? '-'}:${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('expected the spec to be rejected');
}
