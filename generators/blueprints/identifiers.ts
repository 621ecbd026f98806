/**
 * The identifiers a blueprint's generated code binds at module level next to the per-entity names: what
 * its templates import (`Static` from TypeBox, `Worker` from a job library, `JsMsg` from NATS …) and what
 * its templates that print per-entity or per-job names declare at the top level (`JOBS`, `PROCESSORS` …). An entity whose derived names (`Order`, `OrderInput`, …) hit one of
 * these would shadow or clash with it, so the spec is refused — but only for the blueprint whose templates
 * use the name: the set is derived from the chosen blueprint's templates (its parents', shared and pack
 * templates included, as rendered), never kept by hand. Read once per set of template folders.
 */
import type { ResolvedBlueprint } from './contract.js';
import { loadBlueprint } from '../render/templates.js';

/** Files whose text is TypeScript or JavaScript (rendered or verbatim). */
const CODE_FILE = /\.(?:[cm]?[jt]sx?)(?:\.ejs)?$/;

/**
 * `import … from` clauses (default, named with `as`, namespace, `type`-only), across lines. A template's
 * EJS tags cannot appear in a binding name (`<` is not an identifier character), so a name printed from
 * the plan is never taken for a fixed one.
 */
const IMPORT = /^import\s+(?:type\s+)?([^'";]*?)\s+from\s+['"]/gm;
/** Top-level declarations: at the start of a line, optionally exported; not followed by an EJS tag. */
const DECLARATION = /^(?:export\s+)?(?:declare\s+)?(?:default\s+)?(?:async\s+)?(?:const|let|var|function\*?|class|abstract\s+class|interface|type|enum)\s+([A-Za-z_$][\w$]*)(?![\w$]|<%)/gm;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The binding names an import clause introduces. */
function importedNames(clause: string): string[] {
  const names: string[] = [];
  const braces = /\{([^}]*)\}/.exec(clause);
  const outside = clause.replace(/\{[^}]*\}/, '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const part of outside) names.push(part.replace(/^\*\s+as\s+/, ''));
  for (const spec of (braces?.[1] ?? '').split(',')) {
    const name = spec.trim().replace(/^type\s+/, '').split(/\s+as\s+/).at(-1)!.trim();
    if (name) names.push(name);
  }
  return names.filter((n) => IDENTIFIER.test(n));
}

/**
 * The identifiers one code file binds beside per-entity names: everything it imports, and — when it prints
 * per-entity or per-job names itself (`printsDomainNames`) — what it declares at module level. Another
 * file's declarations reach a per-entity file only through an import, which counts there.
 */
export function fileIdentifiers(text: string, printsDomainNames: boolean): string[] {
  const out: string[] = [];
  // An EJS tag inside an import clause (a conditional name, a name printed from the plan) becomes a NUL:
  // the clause still parses, and a name glued to a tag is no fixed identifier (IDENTIFIER refuses it).
  for (const m of text.replace(/<%[\s\S]*?%>/g, '\0').matchAll(IMPORT)) out.push(...importedNames(m[1]!));
  if (printsDomainNames) for (const m of text.matchAll(DECLARATION)) out.push(m[1]!);
  return out;
}

/**
 * A template that prints names derived from the spec's entities or jobs: rendered (`.ejs`), and rendered
 * per entity or job (an `[entity]` / `[job]` path segment) or reading them from the plan.
 */
export function printsDomainNames(source: string, text: string): boolean {
  return source.endsWith('.ejs') && (/\[(?:entity|job)\]/.test(source) || /\bplan\.(?:entities|jobs)\b|\b(?:entity|job)\.(?:pascal|camel|name)\b/.test(text));
}

const cache = new Map<string, Promise<ReadonlySet<string>>>();

/** The identifiers of a blueprint's rendered templates (cached by template folders, exclusions and mounts). */
export function templateIdentifiers(blueprint: Pick<ResolvedBlueprint, 'manifest' | 'templateDirs' | 'mountedTemplateDirs'>): Promise<ReadonlySet<string>> {
  const key = JSON.stringify([blueprint.templateDirs, blueprint.manifest.exclude, blueprint.manifest.mounts, blueprint.mountedTemplateDirs ?? {}]);
  let found = cache.get(key);
  if (!found) {
    found = loadBlueprint(blueprint).then(({ templates }) => new Set(templates.filter((t) => CODE_FILE.test(t.source)).flatMap((t) => fileIdentifiers(t.content, printsDomainNames(t.source, t.content)))));
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}
