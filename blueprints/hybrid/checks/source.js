// @ts-check
/**
 * A small model of a hybrid project's TypeScript for the offload checks: the files under a folder
 * parsed (syntax only), every named function (declarations and `const f = (…) => …`), the code a
 * function reaches through calls to other named functions of the project, and the SQL text in it.
 * Names, not paths: a renamed variable or a moved file does not change what the checks see.
 */
import ts from 'typescript';
import { findAll, lineOf } from '../../_shared/checks/syntax.js';

/** @typedef {import('../../../generators/blueprints/contract.js').CheckContext['project']} Project */
/** @typedef {{ file: string, sf: ts.SourceFile }} Parsed */
/** @typedef {{ name: string, file: string, sf: ts.SourceFile, node: ts.Node }} Fn */

export { findAll, lineOf };

/** The name a call is made by: `f(…)` → f, `a.b.f(…)` → f. */
export function calleeName(/** @type {ts.CallExpression} */ call) {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** The dotted text of a callee (`crypto.subtle.verify`). */
export function calleeText(/** @type {ts.CallExpression} */ call, /** @type {ts.SourceFile} */ sf) {
  return call.expression.getText(sf).replace(/\s+/g, '');
}

/** SQL text a node holds: a template (tagged or not) or a string literal, with interpolations as $. */
export function sqlText(/** @type {ts.Node} */ node) {
  const t = ts.isTaggedTemplateExpression(node) ? node.template : node;
  if (ts.isNoSubstitutionTemplateLiteral(t) || ts.isStringLiteral(t)) return t.text;
  if (ts.isTemplateExpression(t)) return t.head.text + t.templateSpans.map((s) => `$${s.literal.text}`).join('');
  return '';
}

/** Every SQL-looking text under a node. */
export function sqlUnder(/** @type {ts.Node} */ node) {
  return findAll(node, (n) => ts.isTaggedTemplateExpression(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n) || ts.isStringLiteral(n))
    .filter((n) => !(n.parent && ts.isTaggedTemplateExpression(n.parent)))
    .map((n) => ({ node: n, text: sqlText(n).replace(/\s+/g, ' ') }))
    .filter((s) => /\b(select|insert|update|delete)\b/i.test(s.text));
}

/**
 * @param {Project} project
 * @param {(file: string) => boolean} include
 */
export async function parseProject(project, include) {
  /** @type {Parsed[]} */
  const files = [];
  for (const file of project.files.filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !f.endsWith('.d.ts') && include(f))) {
    const text = (await project.read(file)) ?? '';
    files.push({ file, sf: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) });
  }
  /** @type {Map<string, Fn[]>} */
  const functions = new Map();
  const add = (/** @type {string} */ name, /** @type {Parsed} */ p, /** @type {ts.Node} */ node) => functions.set(name, [...(functions.get(name) ?? []), { name, file: p.file, sf: p.sf, node }]);
  for (const p of files)
    for (const n of findAll(p.sf, (x) => ts.isFunctionDeclaration(x) || ts.isVariableDeclaration(x) || ts.isMethodDeclaration(x) || ts.isPropertyAssignment(x))) {
      if (ts.isFunctionDeclaration(n) && n.name && n.body) add(n.name.text, p, n.body);
      else if ((ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n)) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer)))
        add(n.name.text, p, n.initializer.body);
      else if (ts.isMethodDeclaration(n) && ts.isIdentifier(n.name) && n.body) add(n.name.text, p, n.body);
    }

  /**
   * The code a node reaches: itself, then the bodies of the project's functions it calls (by name),
   * transitively. Each piece keeps its file for evidence.
   * @param {ts.Node} root @param {string} file @param {ts.SourceFile} sf
   * @returns {{ node: ts.Node, file: string, sf: ts.SourceFile }[]}
   */
  function reach(root, file, sf) {
    const out = [{ node: root, file, sf }];
    const seen = new Set([root]);
    for (let i = 0; i < out.length; i++) {
      const { node } = /** @type {{ node: ts.Node }} */ (out[i]);
      for (const call of findAll(node, ts.isCallExpression)) {
        const name = calleeName(/** @type {ts.CallExpression} */ (call));
        for (const fn of (name && functions.get(name)) || [])
          if (!seen.has(fn.node)) {
            seen.add(fn.node);
            out.push({ node: fn.node, file: fn.file, sf: fn.sf });
          }
      }
    }
    return out;
  }
  return { files, functions, reach };
}
