// @ts-check
/**
 * A light model of a Worker's sources for the blueprint's static checks: every src/ file parsed with
 * TypeScript (syntax only), relative imports resolved (`./x.js` → `./x.ts`), the files reachable from
 * one through value imports, and where each name in a file comes from.
 */
import path from 'node:path';
import ts from 'typescript';
import { findAll, lineOf } from '../../_shared/checks/syntax.js';
import { workerRoot } from './config.js';

/**
 * @typedef {{ file: string, sf: ts.SourceFile, imports: { from: string, resolved: string | null, names: Map<string, string>, typeOnly: boolean }[] }} SourceFile
 * @typedef {import('../../../generators/blueprints/contract.js').CheckContext['project']} Project
 */

export { findAll, lineOf };

/**
 * @param {Project} project
 * @returns {Promise<{ files: Map<string, SourceFile>, reachable(from: string): Set<string> }>}
 */
export async function workerSources(project) {
  /** @type {Map<string, SourceFile>} */
  const files = new Map();
  for (const file of project.files.filter((f) => f.startsWith(`${workerRoot(project)}src/`) && /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))) {
    const text = (await project.read(file)) ?? '';
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    /** @type {SourceFile['imports']} */
    const imports = [];
    for (const s of sf.statements) {
      if (!ts.isImportDeclaration(s) && !(ts.isExportDeclaration(s) && s.moduleSpecifier)) continue;
      const spec = /** @type {ts.StringLiteral} */ (s.moduleSpecifier).text;
      /** @type {Map<string, string>} local name → imported name */
      const names = new Map();
      let typeOnly = false;
      if (ts.isImportDeclaration(s)) {
        const clause = s.importClause;
        typeOnly = clause?.isTypeOnly === true;
        if (clause?.name) names.set(clause.name.text, 'default');
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) if (!e.isTypeOnly) names.set(e.name.text, (e.propertyName ?? e.name).text);
        if (bindings && ts.isNamespaceImport(bindings)) names.set(bindings.name.text, '*');
        if (clause && !clause.name && bindings && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly)) typeOnly = true;
      }
      imports.push({ from: spec, resolved: resolve(file, spec), names, typeOnly });
    }
    files.set(file, { file, sf, imports });
  }
  /** @param {string} from @param {string} spec */
  function resolve(from, spec) {
    if (!spec.startsWith('.')) return null;
    const base = path.posix.join(path.posix.dirname(from), spec);
    const candidates = [base, base.replace(/\.(m?js)$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
    return candidates.find((c) => project.files.includes(c)) ?? null;
  }
  return {
    files,
    reachable(from) {
      const seen = new Set([from]);
      const stack = [from];
      while (stack.length) {
        const f = files.get(/** @type {string} */ (stack.pop()));
        for (const i of f?.imports ?? []) if (!i.typeOnly && i.resolved && !seen.has(i.resolved)) (seen.add(i.resolved), stack.push(i.resolved));
      }
      return seen;
    },
  };
}

/**
 * The Worker's entry (wrangler's `main`) and the modules its default export's `fetch` and `queue`
 * handlers come from.
 * @param {{ files: Map<string, SourceFile> }} sources
 * @param {string} main
 * @returns {{ fetch: string | null, queue: string | null }}
 */
export function handlerModules(sources, main) {
  const entry = sources.files.get(main);
  if (!entry) return { fetch: null, queue: null };
  /** @type {{ fetch: string | null, queue: string | null }} */
  const out = { fetch: null, queue: null };
  const exported = entry.sf.statements.find(ts.isExportAssignment);
  let object = exported?.expression;
  while (object && (ts.isSatisfiesExpression(object) || ts.isAsExpression(object) || ts.isParenthesizedExpression(object))) object = object.expression;
  if (!object || !ts.isObjectLiteralExpression(object)) return out;
  for (const p of object.properties) {
    const key = p.name && ts.isIdentifier(p.name) ? p.name.text : undefined;
    if (key !== 'fetch' && key !== 'queue') continue;
    const id = ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer) ? p.initializer.text : ts.isShorthandPropertyAssignment(p) ? p.name.text : undefined;
    const from = id ? entry.imports.find((i) => i.names.has(id)) : undefined;
    out[key] = from?.resolved ?? (id || ts.isMethodDeclaration(p) ? main : null);
  }
  return out;
}
