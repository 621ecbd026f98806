/** Read a spec file (YAML or JSON) → a validated Spec, or an InvalidInputError naming file, path and line. */
import { InvalidInputError } from '../core/errors.js';
import { issueAt, parseLocated, parseWith, readLocated, type LocatedDocument } from './located.js';
import { specSchema, type Spec } from './schema.js';
import { blueprintSpecIssues, validateSpecMeaning, type BlueprintFacts } from './validate.js';

export async function loadSpecFile(file: string, display = file): Promise<Spec> {
  return validateSpecDocument(await readLocated(file, 'spec', display));
}

export function parseSpecText(text: string, file: string): Spec {
  return validateSpecDocument(parseLocated(text, file, 'spec'));
}

export function validateSpecDocument(doc: LocatedDocument): Spec {
  const spec = parseWith(specSchema, doc, 'spec');
  const issues = validateSpecMeaning(spec, doc);
  if (issues.length > 0) throw new InvalidInputError('spec', issues);
  return spec;
}

/** Validate an in-memory spec (the built-in example, or one read back from a manifest). */
export function validateSpecValue(value: unknown, file: string): Spec {
  return validateSpecDocument({ file, value, locate: () => undefined });
}

/**
 * Refuses entities and jobs named like what the chosen blueprint creates itself (a table, a route, an
 * identifier its templates bind), located to the spec file's lines (the planner refuses them too, but
 * knows no file). Reads the file again only on a collision.
 */
export async function checkSpecForBlueprint(file: string, display: string, spec: Spec, blueprint: BlueprintFacts): Promise<void> {
  const taken = blueprintSpecIssues(spec, blueprint);
  if (taken.length === 0) return;
  const doc = await readLocated(file, 'spec', display);
  throw new InvalidInputError('spec', taken.map((issue) => issueAt(doc, issue.path.split('.'), issue.message)));
}
