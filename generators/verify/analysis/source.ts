/**
 * The project's TypeScript as syntax trees (the TypeScript compiler API, parse only: fast, and it
 * works before `npm install`), with the small resolution helpers the checks share: follow an
 * identifier to its declaration (in the file or through a relative import), read an object literal's
 * properties, locate a node as file:line.
 */
import path from 'node:path';
import type * as TS from 'typescript';
import { ts } from './typescript.js';

export interface SourceFile {
  /** Project-relative path with `/`. */
  file: string;
  sf: TS.SourceFile;
}

export class Sources {
  readonly byFile = new Map<string, SourceFile>();

  constructor(files: { file: string; text: string }[]) {
    for (const { file, text } of files) {
      this.byFile.set(file, { file, sf: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) });
    }
  }

  get all(): SourceFile[] {
    return [...this.byFile.values()];
  }

  /** Application sources (src/, not tests). */
  get app(): SourceFile[] {
    return this.all.filter((s) => s.file.startsWith('src/') && !/\.(test|spec)\.ts$/.test(s.file));
  }

  fileOf(node: TS.Node): string {
    return node.getSourceFile().fileName;
  }

  lineOf(node: TS.Node): number {
    const sf = node.getSourceFile();
    return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  }

  at(node: TS.Node, text?: string): { file: string; line: number; text: string } {
    return { file: this.fileOf(node), line: this.lineOf(node), text: text ?? oneLine(node.getText()) };
  }

  /** Resolves a relative import specifier from `fromFile` to a project file. */
  resolveImport(fromFile: string, specifier: string): string | undefined {
    if (!specifier.startsWith('.')) return undefined;
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
    const stem = base.replace(/\.(m|c)?js$/, '');
    for (const candidate of [`${stem}.ts`, `${stem}.mts`, `${stem}/index.ts`, base]) if (this.byFile.has(candidate)) return candidate;
    return undefined;
  }

  /** Files reachable through relative imports from the given entry files. */
  reachableFrom(entries: string[]): Set<string> {
    const seen = new Set<string>();
    const queue = entries.filter((e) => this.byFile.has(e));
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const sf = this.byFile.get(file)!.sf;
      visit(sf, (n) => {
        const spec =
          (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)
            ? n.moduleSpecifier.text
            : ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])
              ? n.arguments[0].text
              : undefined;
        if (spec) {
          const target = this.resolveImport(file, spec);
          if (target && !seen.has(target)) queue.push(target);
        }
      });
    }
    return seen;
  }

  /** Module specifier an identifier was imported from in its file ("node:crypto"), if any. */
  importSource(id: TS.Identifier): string | undefined {
    const found = this.importOf(id.getSourceFile(), id.text);
    return found?.specifier;
  }

  private importOf(sf: TS.SourceFile, local: string): { specifier: string; imported: string } | undefined {
    for (const stmt of sf.statements) {
      if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier) || !stmt.importClause) continue;
      const clause = stmt.importClause;
      if (clause.name?.text === local) return { specifier: stmt.moduleSpecifier.text, imported: 'default' };
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings) && bindings.name.text === local) return { specifier: stmt.moduleSpecifier.text, imported: '*' };
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) {
          if (el.name.text === local) return { specifier: stmt.moduleSpecifier.text, imported: (el.propertyName ?? el.name).text };
        }
      }
    }
    return undefined;
  }

  /** A top-level (or enclosing-scope) declaration of `name` visible from `from`, following relative imports. */
  declarationOf(from: TS.Node, name: string, depth = 0): TS.Node | undefined {
    if (depth > 8) return undefined;
    // Innermost scope first: walk up the parents looking at variable/function declarations in each block.
    for (let scope: TS.Node | undefined = from; scope; scope = scope.parent) {
      const statements = ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) ? scope.statements : undefined;
      if (ts.isFunctionLike(scope)) {
        for (const p of (scope as TS.SignatureDeclaration).parameters) if (ts.isIdentifier(p.name) && p.name.text === name) return p;
      }
      if (!statements) continue;
      for (const stmt of statements) {
        if (ts.isVariableStatement(stmt)) {
          for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return d;
        } else if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt)) && stmt.name?.text === name) return stmt;
      }
    }
    const sf = from.getSourceFile();
    const imp = this.importOf(sf, name);
    if (!imp) return undefined;
    const target = this.resolveImport(sf.fileName, imp.specifier);
    if (!target || imp.imported === '*' || imp.imported === 'default') return undefined;
    const targetSf = this.byFile.get(target)!.sf;
    const direct = this.declarationOf(targetSf, imp.imported, depth + 1);
    if (direct) return direct;
    // Re-exports: export { x } from './y'
    for (const stmt of targetSf.statements) {
      if (ts.isExportDeclaration(stmt) && stmt.moduleSpecifier && ts.isStringLiteral(stmt.moduleSpecifier)) {
        const next = this.resolveImport(target, stmt.moduleSpecifier.text);
        if (next) {
          const d = this.declarationOf(this.byFile.get(next)!.sf, imp.imported, depth + 1);
          if (d) return d;
        }
      }
    }
    return undefined;
  }

  /**
   * Follows identifiers (and `as`/`satisfies`/parentheses) to the expression they stand for, e.g. a
   * route's `schema: createSchema` → the object literal.
   */
  resolve(expr: TS.Node | undefined, depth = 0): TS.Node | undefined {
    if (!expr || depth > 10) return expr;
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isNonNullExpression(expr))
      return this.resolve(expr.expression, depth + 1);
    if (ts.isIdentifier(expr)) {
      const decl = this.declarationOf(expr, expr.text);
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer) return this.resolve(decl.initializer, depth + 1);
      if (decl && (ts.isFunctionDeclaration(decl) || ts.isParameter(decl))) return decl;
      return expr;
    }
    // `SCHEMAS.create`: a member of an object literal the analysis can see.
    if (ts.isPropertyAccessExpression(expr)) {
      const member = this.prop(expr.expression, expr.name.text);
      if (member) return this.resolve(member, depth + 1);
    }
    return expr;
  }

  /** A property of an object literal (after resolving), or undefined. Handles shorthand and spread of resolvable objects. */
  prop(obj: TS.Node | undefined, name: string): TS.Expression | undefined {
    const o = this.resolve(obj);
    if (!o || !ts.isObjectLiteralExpression(o)) return undefined;
    for (const p of [...o.properties].reverse()) {
      if (ts.isPropertyAssignment(p) && propName(p.name) === name) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
      if (ts.isMethodDeclaration(p) && propName(p.name) === name) return p as unknown as TS.Expression;
      if (ts.isSpreadAssignment(p)) {
        const inner = this.prop(p.expression, name);
        if (inner) return inner;
      }
    }
    return undefined;
  }

  /** Property names of an object literal (after resolving), including spread members. */
  propNames(obj: TS.Node | undefined): string[] {
    const o = this.resolve(obj);
    if (!o || !ts.isObjectLiteralExpression(o)) return [];
    return o.properties.flatMap((p) => {
      if (ts.isSpreadAssignment(p)) return this.propNames(p.expression);
      const n = p.name && propName(p.name);
      return n ? [n] : [];
    });
  }
}

export function propName(name: TS.PropertyName | TS.Node): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

export function visit(node: TS.Node, fn: (n: TS.Node) => void): void {
  fn(node);
  node.forEachChild((c) => visit(c, fn));
}

export function findAll<T extends TS.Node>(node: TS.Node, guard: (n: TS.Node) => n is T): T[] {
  const out: T[] = [];
  visit(node, (n) => {
    if (guard(n)) out.push(n);
  });
  return out;
}

export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `a.b.c(...)` → "c"; `f(...)` → "f". */
export function calleeName(call: TS.CallExpression | TS.NewExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** A string literal's value (also a template literal without substitutions). */
export function literalString(node: TS.Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  return undefined;
}

export function literalNumber(node: TS.Node | undefined): number | undefined {
  if (!node) return undefined;
  if (ts.isNumericLiteral(node)) return Number(node.text.replace(/_/g, ''));
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(node.operand)) return -Number(node.operand.text);
  return undefined;
}

/** The innermost function containing a node. */
export function enclosingFunction(node: TS.Node): TS.FunctionLikeDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) if (ts.isFunctionLike(p) && 'body' in p) return p as TS.FunctionLikeDeclaration;
  return undefined;
}
