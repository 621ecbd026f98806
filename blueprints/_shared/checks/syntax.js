// @ts-check
/**
 * Syntax-tree helpers the built-in blueprints' own checks share (serverless, hybrid): every node under a
 * node that passes a test, and the 1-based line a node starts on.
 */
import ts from 'typescript';

/** @param {ts.Node} node @param {(n: ts.Node) => boolean} test @returns {ts.Node[]} */
export function findAll(node, test) {
  /** @type {ts.Node[]} */
  const out = [];
  const visit = (/** @type {ts.Node} */ n) => {
    if (test(n)) out.push(n);
    n.forEachChild(visit);
  };
  visit(node);
  return out;
}

/** @param {ts.SourceFile} sf @param {ts.Node} node */
export const lineOf = (sf, node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
