/**
 * Is a value known when the code is written (a constant), whatever route it takes? Literals, and
 * anything built only from literals — through variables, properties, helpers, joins — is constant;
 * a parameter fed by a request, a package's return value, a global is not. Used by the
 * parameterized-queries check: SQL text may only be built from constants.
 */
import ts from 'typescript';
import { Flow } from './flow.js';
import { skipOuter } from './program.js';

export class Constness {
  private readonly memo = new Map<ts.Node, ts.Expression | null>();

  constructor(readonly flow: Flow) {}

  /** The first non-constant origin of `e` (what makes it vary), or null when `e` is constant. */
  variable(e: ts.Expression): ts.Expression | null {
    const cached = this.memo.get(e);
    if (cached !== undefined) return cached;
    this.memo.set(e, null); // a cycle is not evidence of a variable
    let found: ts.Expression | null = null;
    this.flow.trace(e, {
      visit: (x) => {
        if (found) return 'stop';
        const v = skipOuter(x);
        if (v !== x) return 'follow';
        const leaf = this.leaf(v);
        if (leaf === 'follow') return 'follow';
        if (leaf) found = leaf;
        return 'stop';
      },
      opaque: (x) => {
        found ??= x;
      },
    });
    this.memo.set(e, found);
    return found;
  }

  /** Judges an expression that is not a plain reference: null = constant, an expression = the variable part, 'follow' = look further back. */
  private leaf(e: ts.Expression): ts.Expression | null | 'follow' {
    if (ts.isStringLiteralLike(e) || ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || ts.isRegularExpressionLiteral(e)) return null;
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return null;
    if (ts.isIdentifier(e) && e.text === 'undefined') return null;
    if (ts.isTemplateExpression(e)) return first(e.templateSpans.map((s) => s.expression), (x) => this.variable(x));
    if (ts.isBinaryExpression(e)) {
      const k = e.operatorToken.kind;
      if (k === ts.SyntaxKind.QuestionQuestionToken || k === ts.SyntaxKind.BarBarToken || k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.CommaToken || k === ts.SyntaxKind.EqualsToken) return 'follow';
      return first([e.left, e.right], (x) => this.variable(x));
    }
    if (ts.isPrefixUnaryExpression(e)) return this.variable(e.operand);
    if (ts.isArrayLiteralExpression(e)) return first(e.elements.map((x) => (ts.isSpreadElement(x) ? x.expression : x)), (x) => this.variable(x));
    if (ts.isObjectLiteralExpression(e) || ts.isFunctionLike(e) || ts.isClassExpression(e)) return null;
    if (ts.isCallExpression(e)) {
      // A project function is followed into its returns; a package's or a built-in's function is
      // constant only if what it is given is (['a', 'b'].join(', ') is; names.join(', ') is not).
      if (this.flow.program.functionOf(e.expression)) return 'follow';
      const receiver = ts.isPropertyAccessExpression(e.expression) ? e.expression.expression : undefined;
      const inputs = [...(receiver && !isNamespace(this.flow, receiver) ? [receiver] : []), ...e.arguments];
      return first(inputs, (x) => this.variable(x));
    }
    if (ts.isTaggedTemplateExpression(e) || ts.isNewExpression(e)) return e;
    return 'follow';
  }
}

/** A package namespace or a global used as a receiver (`util.format`, `String.raw`, `path.join`): not itself a value. */
export function isNamespace(flow: Flow, e: ts.Expression): boolean {
  if (!ts.isIdentifier(e)) return false;
  const decls = flow.program.declarationsOf(e);
  return decls.length === 0 || decls.every((d) => ts.isImportClause(d) || ts.isImportSpecifier(d) || ts.isNamespaceImport(d));
}

function first<T>(items: T[], fn: (x: T) => ts.Expression | null): ts.Expression | null {
  for (const i of items) {
    const r = fn(i);
    if (r) return r;
  }
  return null;
}
