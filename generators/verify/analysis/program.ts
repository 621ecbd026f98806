/**
 * The project's TypeScript as one program with a type checker, for checks that follow a VALUE (where
 * it is declared, assigned, passed, returned) instead of matching how a line is written. Built from
 * the project's own files only — no lib, no node_modules — so it is fast and works before
 * `npm install`: what a package provides is opaque, what the project declares is followed.
 */
import ts from 'typescript';
import type { ProjectContext } from '../context.js';

/** A function-like declaration whose body can be followed (declaration, expression, arrow, method). */
export type FunctionNode = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

export class Program {
  readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;
  private callIndex: Map<ts.Node, ts.CallExpression[]> | undefined;
  private assignIndex: Map<ts.Symbol, ts.Expression[]> | undefined;

  constructor(files: { file: string; text: string }[]) {
    const texts = new Map(files.map((f) => [`/${f.file}`, f.text]));
    const dirs = new Set<string>();
    for (const f of texts.keys()) for (let d = f.slice(0, f.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) dirs.add(d);
    const options: ts.CompilerOptions = {
      noLib: true,
      noEmit: true,
      types: [],
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      // Bundler resolution maps the `./x.js` specifiers of ESM TypeScript to `./x.ts`.
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
    };
    const host: ts.CompilerHost = {
      getSourceFile: (name, lang) => {
        const text = texts.get(name);
        return text === undefined ? undefined : ts.createSourceFile(name, text, lang, true, ts.ScriptKind.TS);
      },
      getDefaultLibFileName: () => '/__no_lib__.d.ts',
      writeFile: () => undefined,
      getCurrentDirectory: () => '/',
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => '\n',
      fileExists: (f) => texts.has(f),
      readFile: (f) => texts.get(f),
      directoryExists: (d) => d === '/' || dirs.has(d.replace(/\/$/, '')),
      getDirectories: () => [],
    };
    this.program = ts.createProgram({ rootNames: [...texts.keys()], options, host });
    this.checker = this.program.getTypeChecker();
  }

  /** The project's files (path without the leading `/`), parsed. */
  get files(): { file: string; sf: ts.SourceFile }[] {
    return this.program
      .getSourceFiles()
      .filter((sf) => !sf.isDeclarationFile)
      .map((sf) => ({ file: sf.fileName.slice(1), sf }));
  }

  /** file:line of a node, project-relative. */
  at(node: ts.Node): { file: string; line: number } {
    const sf = node.getSourceFile();
    return { file: sf.fileName.replace(/^\//, ''), line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 };
  }

  /** The symbol a name stands for, through import aliases. */
  symbolOf(node: ts.Node): ts.Symbol | undefined {
    let s = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node ? this.checker.getShorthandAssignmentValueSymbol(node.parent) : this.checker.getSymbolAtLocation(node);
    for (let i = 0; s && s.flags & ts.SymbolFlags.Alias && i < 10; i++) {
      const next = this.checker.getAliasedSymbol(s);
      if (next === s) break;
      s = next;
    }
    return s;
  }

  /** Declarations of the symbol a name stands for. */
  declarationsOf(node: ts.Node): ts.Declaration[] {
    return this.symbolOf(node)?.declarations ?? [];
  }

  /** The project function a callee expression names (a declared function, a const arrow, a method with a body). */
  functionOf(callee: ts.Expression): FunctionNode | undefined {
    const target = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
    for (const d of this.declarationsOf(target)) {
      const fn = asFunction(d);
      if (fn) return fn;
    }
    return undefined;
  }

  /** Every call in the project whose callee is `fn`. */
  callSitesOf(fn: FunctionNode): ts.CallExpression[] {
    if (!this.callIndex) {
      this.callIndex = new Map();
      for (const { sf } of this.files)
        visitAll(sf, (n) => {
          if (!ts.isCallExpression(n)) return;
          const target = this.functionOf(n.expression);
          if (target) this.callIndex!.set(target, [...(this.callIndex!.get(target) ?? []), n]);
        });
    }
    return this.callIndex.get(fn) ?? [];
  }

  /** Right-hand sides assigned to a variable after its declaration (`x = …`, `x += …` gives the whole binary). */
  assignmentsOf(symbol: ts.Symbol): ts.Expression[] {
    if (!this.assignIndex) {
      this.assignIndex = new Map();
      for (const { sf } of this.files)
        visitAll(sf, (n) => {
          if (!ts.isBinaryExpression(n) || !ts.isIdentifier(n.left)) return;
          const k = n.operatorToken.kind;
          if (k !== ts.SyntaxKind.EqualsToken && k !== ts.SyntaxKind.PlusEqualsToken && k !== ts.SyntaxKind.QuestionQuestionEqualsToken && k !== ts.SyntaxKind.BarBarEqualsToken) return;
          const s = this.checker.getSymbolAtLocation(n.left);
          if (s) this.assignIndex!.set(s, [...(this.assignIndex!.get(s) ?? []), k === ts.SyntaxKind.EqualsToken ? n.right : n]);
        });
    }
    return this.assignIndex.get(symbol) ?? [];
  }
}

const programs = new WeakMap<ProjectContext, Promise<Program>>();

/** The program of a project's src/ and scripts/ (built once per verify run, shared by the checks). */
export function programOf(project: ProjectContext): Promise<Program> {
  let p = programs.get(project);
  if (!p) {
    p = (async () => {
      const files = project.files.filter((f) => /^(src|scripts)\/.*\.(m?ts)$/.test(f) && !f.endsWith('.d.ts'));
      return new Program(await Promise.all(files.map(async (file) => ({ file, text: (await project.read(file)) ?? '' }))));
    })();
    programs.set(project, p);
  }
  return p;
}

export function asFunction(d: ts.Node | undefined): FunctionNode | undefined {
  if (!d) return undefined;
  if ((ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body) return d;
  if (ts.isFunctionExpression(d) || ts.isArrowFunction(d)) return d;
  if ((ts.isVariableDeclaration(d) || ts.isPropertyAssignment(d) || ts.isPropertyDeclaration(d)) && d.initializer) {
    const init = skipOuter(d.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}

/** Parentheses, `as`, `satisfies`, `!`, `await`, `<T>x`: the expression inside. */
export function skipOuter(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e) || ts.isAwaitExpression(e)) e = e.expression;
  return e;
}

/** The expressions a function can return (every `return`, not those of nested functions; an arrow's expression body). */
export function returnedExpressions(fn: FunctionNode): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: ts.Expression[] = [];
  const walk = (n: ts.Node): void => {
    if (ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    n.forEachChild(walk);
  };
  fn.body.forEachChild(walk);
  return out;
}

export function visitAll(node: ts.Node, fn: (n: ts.Node) => void): void {
  fn(node);
  node.forEachChild((c) => visitAll(c, fn));
}
