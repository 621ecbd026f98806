/**
 * Backward data flow over the project's program: from an expression to every expression whose value
 * it can take — through variables (declaration and later assignments), parameters (the argument at
 * every call site, or the one bound by the call being followed, and the default), destructuring,
 * object properties, `??` / `||` / `?:`, and the returns of the project's own functions. A value that
 * comes from outside the project (a package, a global, a callback's parameter) is "opaque": the
 * visitor is told, and decides what that means for its rule.
 */
import ts from 'typescript';
import { asFunction, returnedExpressions, skipOuter, visitAll, type FunctionNode, type Program } from './program.js';
import { propName } from './source.js';

/** Parameter → the argument the followed call passed (and that argument's own bindings). */
type Bindings = ReadonlyMap<ts.ParameterDeclaration, Bound>;
interface Bound {
  expr: ts.Expression;
  bindings: Bindings;
}

export interface Visitor {
  /** Called on every expression the value can come from; 'stop' ends this branch, 'follow' goes one step further back. */
  visit(e: ts.Expression, path: readonly ts.Expression[]): 'stop' | 'follow';
  /** Called when an expression's origin is outside the project (or not knowable statically). */
  opaque?(e: ts.Expression, path: readonly ts.Expression[]): void;
}

const EMPTY: Bindings = new Map();
const MAX_VISITS = 20_000;
const MAX_DEPTH = 60;

export class Flow {
  private readonly propertyIndex = new Map<string, ts.Expression[]>();

  /** nameFallback: when an object's origin is opaque, a property read `x.NAME` may come from any `NAME: …` the project writes. */
  constructor(
    readonly program: Program,
    private readonly options: { nameFallback?: boolean } = {},
  ) {
    if (options.nameFallback)
      for (const { sf } of program.files)
        visitAll(sf, (n) => {
          if (ts.isPropertyAssignment(n)) {
            const name = propName(n.name);
            if (name) this.propertyIndex.set(name, [...(this.propertyIndex.get(name) ?? []), n.initializer]);
          }
        });
  }

  /** Walks back from `start` calling the visitor on every origin (each expression once per binding context). */
  trace(start: ts.Expression, visitor: Visitor): void {
    const seen = new Set<string>();
    const ids = new Map<object, number>();
    const id = (o: object) => ids.get(o) ?? (ids.set(o, ids.size), ids.size - 1);
    let visits = 0;
    const walk = (e: ts.Expression, bindings: Bindings, path: readonly ts.Expression[]): void => {
      const key = `${id(e)}:${id(bindings)}`;
      if (seen.has(key) || path.length > MAX_DEPTH || ++visits > MAX_VISITS) return;
      seen.add(key);
      const here = [...path, e];
      if (visitor.visit(e, here) === 'stop') return;
      const sources = this.sourcesOf(e, bindings);
      if (sources === 'opaque') visitor.opaque?.(e, here);
      else for (const s of sources) walk(s.expr, s.bindings, here);
    };
    walk(start, EMPTY, []);
  }

  /** One step back: the expressions `e` takes its value from, or 'opaque'. Literals and operations have none (the visitor judges them). */
  private sourcesOf(e0: ts.Expression, bindings: Bindings): Bound[] | 'opaque' {
    const e = skipOuter(e0);
    const same = (x: ts.Expression | undefined): Bound[] => (x ? [{ expr: x, bindings }] : []);
    if (e !== e0) return same(e);
    if (ts.isConditionalExpression(e)) return [...same(e.whenTrue), ...same(e.whenFalse)];
    if (ts.isBinaryExpression(e)) {
      const k = e.operatorToken.kind;
      if (k === ts.SyntaxKind.QuestionQuestionToken || k === ts.SyntaxKind.BarBarToken) return [...same(e.left), ...same(e.right)];
      if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.CommaToken || k === ts.SyntaxKind.EqualsToken) return same(e.right);
      if (k === ts.SyntaxKind.QuestionQuestionEqualsToken || k === ts.SyntaxKind.BarBarEqualsToken) return [...same(e.left), ...same(e.right)];
      return [];
    }
    if (ts.isIdentifier(e)) return e.text === 'undefined' ? [] : this.identifierSources(e, bindings);
    if (ts.isPropertyAccessExpression(e)) return this.propertySources(e.expression, e.name.text, e.name, bindings);
    if (ts.isElementAccessExpression(e)) {
      const key = e.argumentExpression;
      if (ts.isStringLiteralLike(key) || ts.isNumericLiteral(key)) return this.propertySources(e.expression, key.text, undefined, bindings);
      return 'opaque';
    }
    if (ts.isCallExpression(e)) {
      const fn = this.program.functionOf(e.expression);
      if (!fn) return 'opaque';
      const inner = new Map(bindings);
      fn.parameters.forEach((p, i) => {
        if (p.dotDotDotToken) return;
        const arg = e.arguments[i];
        if (arg) inner.set(p, { expr: arg, bindings });
        else if (p.initializer) inner.set(p, { expr: p.initializer, bindings });
      });
      const returns = returnedExpressions(fn);
      return returns.length ? returns.map((r) => ({ expr: r, bindings: inner })) : 'opaque';
    }
    if (ts.isNewExpression(e)) return 'opaque';
    return [];
  }

  private identifierSources(e: ts.Identifier, bindings: Bindings): Bound[] | 'opaque' {
    const symbol = this.program.symbolOf(e);
    const decls = symbol?.declarations ?? [];
    if (!symbol || decls.length === 0) return 'opaque';
    const out: Bound[] = [];
    let opaque = false;
    for (const d of decls) {
      if (ts.isVariableDeclaration(d)) {
        if (d.initializer) out.push({ expr: d.initializer, bindings });
      } else if (ts.isParameter(d)) {
        const r = this.parameterSources(d, bindings);
        if (r === 'opaque') opaque = true;
        else out.push(...r);
      } else if (ts.isBindingElement(d)) {
        const r = this.bindingElementSources(d, bindings);
        if (r === 'opaque') opaque = true;
        else out.push(...r);
      } else if (ts.isEnumMember(d)) {
        if (d.initializer) out.push({ expr: d.initializer, bindings });
      } else if (ts.isShorthandPropertyAssignment(d)) out.push({ expr: d.name, bindings });
      else if (ts.isImportSpecifier(d) || ts.isImportClause(d) || ts.isNamespaceImport(d)) opaque = true;
    }
    for (const a of this.program.assignmentsOf(symbol)) out.push({ expr: a, bindings: EMPTY });
    return out.length === 0 && opaque ? 'opaque' : out;
  }

  private parameterSources(p: ts.ParameterDeclaration, bindings: Bindings): Bound[] | 'opaque' {
    const bound = bindings.get(p);
    if (bound) return [bound];
    const fn = p.parent as ts.SignatureDeclaration;
    const f = asFunction(fn);
    const index = fn.parameters.indexOf(p);
    const out: Bound[] = [];
    if (f && !p.dotDotDotToken) for (const call of this.program.callSitesOf(f as FunctionNode)) if (call.arguments[index]) out.push({ expr: call.arguments[index], bindings: EMPTY });
    if (p.initializer) out.push({ expr: p.initializer, bindings: EMPTY });
    // A parameter nobody in the project calls with a value (a callback a package calls, an export) is opaque.
    return out.length ? out : 'opaque';
  }

  /** `const { a } = x` / `function f({ a })`: property `a` of whatever the pattern destructures. */
  private bindingElementSources(b: ts.BindingElement, bindings: Bindings): Bound[] | 'opaque' {
    const name = b.propertyName ? propName(b.propertyName) : ts.isIdentifier(b.name) ? b.name.text : undefined;
    const pattern = b.parent;
    const holder = pattern.parent;
    const out: Bound[] = [];
    if (b.initializer) out.push({ expr: b.initializer, bindings });
    if (!name || !ts.isObjectBindingPattern(pattern)) return out.length ? out : 'opaque';
    if (ts.isVariableDeclaration(holder) && holder.initializer) {
      const r = this.propertySources(holder.initializer, name, undefined, bindings);
      return r === 'opaque' ? (out.length ? out : 'opaque') : [...out, ...r];
    }
    if (ts.isParameter(holder)) {
      const containers = this.parameterSources(holder, bindings);
      if (containers === 'opaque') return out.length ? out : 'opaque';
      for (const c of containers) {
        const r = this.propertySources(c.expr, name, undefined, c.bindings);
        if (r !== 'opaque') out.push(...r);
      }
      return out;
    }
    return out.length ? out : 'opaque';
  }

  /** The values property `name` of `obj` can hold: from the declaration the checker finds, else by following `obj` to object literals. */
  private propertySources(obj: ts.Expression, name: string, nameNode: ts.Node | undefined, bindings: Bindings): Bound[] | 'opaque' {
    if (nameNode) {
      const decls = this.program.declarationsOf(nameNode);
      const values: Bound[] = [];
      for (const d of decls) {
        if (ts.isPropertyAssignment(d)) values.push({ expr: d.initializer, bindings });
        else if (ts.isShorthandPropertyAssignment(d)) values.push({ expr: d.name, bindings });
        else if ((ts.isPropertyDeclaration(d) || ts.isVariableDeclaration(d)) && d.initializer) values.push({ expr: d.initializer, bindings });
      }
      if (values.length) return values;
    }
    // Follow the object itself back to object literals and read the property there.
    const out: Bound[] = [];
    // An object literal without the property may gain it later (`out[key] = …`): that is opaque too.
    let opaque = false;
    const seen = new Set<ts.Node>();
    const find = (x: ts.Expression, b: Bindings, depth: number): void => {
      const e = skipOuter(x);
      if (seen.has(e) || depth > 20) return;
      seen.add(e);
      if (ts.isObjectLiteralExpression(e)) {
        for (const p of [...e.properties].reverse()) {
          if (ts.isPropertyAssignment(p) && propName(p.name) === name) return void out.push({ expr: p.initializer, bindings: b });
          if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return void out.push({ expr: p.name, bindings: b });
          if (ts.isSpreadAssignment(p)) find(p.expression, b, depth + 1);
        }
        opaque = true;
        return;
      }
      const next = this.sourcesOf(e, b);
      if (next === 'opaque') opaque = true;
      else for (const n of next) find(n.expr, n.bindings, depth + 1);
    };
    find(obj, bindings, 0);
    if (out.length) return out;
    if (opaque && this.options.nameFallback) {
      const byName = this.propertyIndex.get(name) ?? [];
      if (byName.length) return byName.map((expr) => ({ expr, bindings: EMPTY }));
    }
    return opaque ? 'opaque' : out;
  }
}

/** `process.env.X` / `process.env['X']`. */
export function isEnvRead(e: ts.Expression): boolean {
  const x = skipOuter(e);
  const target = ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x) ? x.expression : undefined;
  return !!target && ts.isPropertyAccessExpression(target) && target.name.text === 'env' && ts.isIdentifier(target.expression) && target.expression.text === 'process';
}
