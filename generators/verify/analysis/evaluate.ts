/**
 * A small constant evaluator over the syntax tree: literals, objects, arrays, arithmetic, identifiers
 * (followed to their declarations, across relative imports), property/element access, spreads, and
 * calls to the project's own functions (parameters bound to the evaluated arguments, the first
 * `return` evaluated). Anything it cannot know is UNKNOWN — checks treat that as "cannot prove".
 */
import type * as TS from 'typescript';
import { ts } from './typescript.js';
import type { Sources } from './source.js';

export const UNKNOWN: unique symbol = Symbol('unknown');
export type Value = unknown;
export type Env = Map<string, Value>;

export function evaluate(sources: Sources, node: TS.Node | undefined, env: Env = new Map(), depth = 0): Value {
  if (!node || depth > 40) return UNKNOWN;
  const ev = (n: TS.Node | undefined, e: Env = env) => evaluate(sources, n, e, depth + 1);
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node))
    return ev(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text.replace(/_/g, ''));
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isIdentifier(node) && node.text === 'undefined') return undefined;
  if (ts.isPrefixUnaryExpression(node)) {
    const v = ev(node.operand);
    if (typeof v !== 'number' && typeof v !== 'boolean') return UNKNOWN;
    if (node.operator === ts.SyntaxKind.MinusToken) return -Number(v);
    if (node.operator === ts.SyntaxKind.ExclamationToken) return !v;
    return UNKNOWN;
  }
  if (ts.isBinaryExpression(node)) {
    const a = ev(node.left);
    const b = ev(node.right);
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken) return a === UNKNOWN ? UNKNOWN : (a ?? b);
    if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
    if (typeof a === 'number' && typeof b === 'number') {
      if (op === ts.SyntaxKind.AsteriskToken) return a * b;
      if (op === ts.SyntaxKind.AsteriskAsteriskToken) return a ** b;
      if (op === ts.SyntaxKind.PlusToken) return a + b;
      if (op === ts.SyntaxKind.MinusToken) return a - b;
      if (op === ts.SyntaxKind.SlashToken) return a / b;
    }
    if (op === ts.SyntaxKind.PlusToken && (typeof a === 'string' || typeof b === 'string')) return String(a) + String(b);
    return UNKNOWN;
  }
  if (ts.isTemplateExpression(node)) {
    let out = node.head.text;
    for (const span of node.templateSpans) {
      const v = ev(span.expression);
      if (v === UNKNOWN || (typeof v === 'object' && v !== null)) return UNKNOWN;
      out += String(v) + span.literal.text;
    }
    return out;
  }
  if (ts.isObjectLiteralExpression(node)) {
    const out: Record<string, Value> = {};
    for (const p of node.properties) {
      if (ts.isSpreadAssignment(p)) {
        const v = ev(p.expression);
        if (v === UNKNOWN) out[SPREAD_UNKNOWN] = true;
        else if (v && typeof v === 'object') Object.assign(out, v);
      } else if (ts.isPropertyAssignment(p)) {
        const key = ts.isComputedPropertyName(p.name) ? ev(p.name.expression) : (p.name as TS.Identifier).text;
        if (typeof key === 'string' || typeof key === 'number') out[key] = ev(p.initializer);
      } else if (ts.isShorthandPropertyAssignment(p)) out[p.name.text] = ev(p.name);
    }
    return out;
  }
  if (ts.isArrayLiteralExpression(node)) return node.elements.map((e) => ev(e));
  if (ts.isIdentifier(node)) {
    if (env.has(node.text)) return env.get(node.text);
    const decl = sources.declarationOf(node, node.text);
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer) return ev(decl.initializer);
    return UNKNOWN;
  }
  if (ts.isPropertyAccessExpression(node)) {
    const obj = ev(node.expression);
    if (obj && typeof obj === 'object' && node.name.text in obj) return (obj as Record<string, Value>)[node.name.text];
    return UNKNOWN;
  }
  if (ts.isElementAccessExpression(node)) {
    const obj = ev(node.expression);
    const key = ev(node.argumentExpression);
    if (obj && typeof obj === 'object' && (typeof key === 'string' || typeof key === 'number') && key in obj) return (obj as Record<string, Value>)[key];
    return UNKNOWN;
  }
  if (ts.isCallExpression(node)) {
    const fn = functionOf(sources, node.expression);
    if (!fn || !fn.body) return UNKNOWN;
    const inner: Env = new Map(env);
    fn.parameters.forEach((p, i) => {
      if (ts.isIdentifier(p.name)) inner.set(p.name.text, node.arguments[i] ? ev(node.arguments[i]) : p.initializer ? ev(p.initializer) : undefined);
    });
    if (!ts.isBlock(fn.body)) return ev(fn.body, inner);
    const ret = firstReturn(fn.body);
    return ret ? ev(ret, inner) : UNKNOWN;
  }
  return UNKNOWN;
}

/** Marker key: the object had a spread whose value is unknown (so an absent key proves nothing). */
export const SPREAD_UNKNOWN = '__spread_unknown__';

export function functionOf(sources: Sources, callee: TS.Node): TS.FunctionLikeDeclaration | undefined {
  if (!ts.isIdentifier(callee)) return undefined;
  const decl = sources.declarationOf(callee, callee.text);
  if (!decl) return undefined;
  if (ts.isFunctionDeclaration(decl)) return decl;
  if (ts.isVariableDeclaration(decl) && decl.initializer && (ts.isArrowFunction(decl.initializer) || ts.isFunctionExpression(decl.initializer))) return decl.initializer;
  return undefined;
}

function firstReturn(block: TS.Block): TS.Expression | undefined {
  for (const stmt of block.statements) if (ts.isReturnStatement(stmt)) return stmt.expression;
  return undefined;
}
