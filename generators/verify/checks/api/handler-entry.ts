import ts from 'typescript';
import { findAll, type Sources } from '../../analysis/source.js';

/** A function-like node (declaration, arrow, function expression, method). */
export type FunctionNode = ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

const isFunctionNode = (n: ts.Node | undefined): n is FunctionNode => !!n && (ts.isFunctionDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isMethodDeclaration(n));

/**
 * The function a handler the entry's default export names (`export default { fetch: handleRequest }` →
 * handleRequest's declaration, followed through imports; a method `async fetch(…) {…}` itself).
 */
export function exportedHandler(sources: Sources, entry: string, name: string): FunctionNode | undefined {
  const sf = sources.byFile.get(entry)?.sf;
  const exported = sf?.statements.find(ts.isExportAssignment);
  const member = sources.prop(exported?.expression, name);
  if (isFunctionNode(member)) return member;
  const resolved = member && ts.isIdentifier(member) ? sources.declarationOf(member, member.text) : sources.resolve(member);
  if (resolved && ts.isVariableDeclaration(resolved)) return isFunctionNode(resolved.initializer) ? resolved.initializer : undefined;
  return isFunctionNode(resolved) ? resolved : undefined;
}

/** The project function a call's callee names (a declaration or a const arrow), or undefined for a library's or an unknown one. */
export function calledFunction(sources: Sources, call: ts.CallExpression | ts.NewExpression): FunctionNode | undefined {
  if (!ts.isIdentifier(call.expression)) return undefined;
  const d = sources.declarationOf(call.expression, call.expression.text);
  if (d && ts.isVariableDeclaration(d)) return isFunctionNode(d.initializer) ? d.initializer : undefined;
  return isFunctionNode(d) ? d : undefined;
}

/** Whether a node, or a project function it calls (a few levels down), contains `text` (e.g. the problem+json media type). */
export function reaches(sources: Sources, node: ts.Node, test: (n: ts.Node) => boolean, depth = 0, seen = new Set<ts.Node>()): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  if (test(node)) return true;
  if (depth >= 3) return false;
  for (const c of findAll(node, (n): n is ts.CallExpression => ts.isCallExpression(n))) {
    const fn = calledFunction(sources, c);
    if (fn && reaches(sources, fn, test, depth + 1, seen)) return true;
  }
  return false;
}
