import ts from 'typescript';
import { Constness, isNamespace } from '../../analysis/constant.js';
import { Flow } from '../../analysis/flow.js';
import { programOf, skipOuter } from '../../analysis/program.js';
import { oneLine } from '../../analysis/source.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

/**
 * Values reach SQL only as parameters. Follows the query text given to the driver — pg's
 * `query()` (pool, client, or any wrapper: a wrapper's parameter is followed to every call site),
 * `new Query()` / `new Cursor()`, and `sql.raw()` — back through variables, properties, helpers and
 * returns (the TypeScript checker's symbols). Text that is a constant, or a `sql` tagged template
 * (every interpolation becomes $n), passes; text built by any string operation (`+`, a template,
 * `concat`, `join`, `replace`, `format`, a helper) from a value that is not a constant fails.
 */
export const sqlParameterized: Check = {
  id: 'code.sql-parameterized',
  title: 'No SQL text built from values (parameterized queries only)',
  seed: seed('s004', 'Security & Authentication: use parameterized queries to prevent SQL injection'),
  kind: 'static',
  async run({ project }) {
    const program = await programOf(project);
    const flow = new Flow(program);
    const constness = new Constness(flow);
    const problems = new Map<string, Evidence>();
    let sinks = 0;
    for (const { file, sf } of program.files) {
      if (/\.(test|spec)\.ts$/.test(file) || file.startsWith('test/')) continue;
      visitCalls(sf, (call) => {
        const sink = sinkOf(flow, call);
        if (!sink) return;
        sinks++;
        const report = (at: ts.Node, how: string, value: ts.Expression) => {
          const where = program.at(at);
          const key = `${where.file}:${where.line}`;
          if (!problems.has(key)) {
            const s = program.at(call);
            problems.set(key, { ...where, text: `SQL text built by ${how} from ${oneLine(value.getText(), 60)} (not a constant) reaches ${sink.what} at ${s.file}:${s.line}: ${oneLine(at.getText(), 120)}` });
          }
        };
        if (sink.mustBeConstant) {
          // sql.raw() inserts its text as is: it must be a constant, whatever route it takes.
          const v = constness.variable(sink.text);
          if (v) report(sink.text, 'sql.raw() of a value', v);
          return;
        }
        traceText(flow, constness, sink.text, report);
      });
    }
    const list = [...problems.values()];
    return verdict(
      list,
      { summary: `${sinks} place(s) hand SQL to the driver; every text is a constant or a sql\`…\` template (values go as $n parameters)` },
      { summary: `${list.length} place(s) build SQL text from values`, fix: 'Use the sql tag: db.query(sql`SELECT … WHERE id = ${id}`) — every interpolated value becomes a $n parameter. sql.raw() only with constant text (identifiers chosen from a fixed list).' },
    );
  },
};

interface Sink {
  text: ts.Expression;
  what: string;
  mustBeConstant: boolean;
}

function visitCalls(node: ts.Node, fn: (c: ts.CallExpression | ts.NewExpression) => void): void {
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) fn(node);
  node.forEachChild((c) => visitCalls(c, fn));
}

/** Where query text enters the driver (or the sql tag's raw escape hatch). */
function sinkOf(flow: Flow, call: ts.CallExpression | ts.NewExpression): Sink | undefined {
  const arg = call.arguments?.[0];
  if (!arg) return undefined;
  const callee = call.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (ts.isNewExpression(call)) return name && /^(Query|Cursor|QueryStream)$/.test(name) ? { text: arg, what: `new ${name}()`, mustBeConstant: false } : undefined;
  if (name === 'raw' && ts.isPropertyAccessExpression(callee) && isSqlTag(callee.expression)) return { text: arg, what: 'sql.raw()', mustBeConstant: true };
  // A project function named query is a wrapper: its own body reaches the driver and is checked there.
  if ((name === 'query' || name === 'unsafe') && !flow.program.functionOf(callee)) return { text: arg, what: `${oneLine(callee.getText(), 40)}()`, mustBeConstant: false };
  return undefined;
}

function isSqlTag(e: ts.Expression): boolean {
  const x = skipOuter(e);
  return (ts.isIdentifier(x) && x.text === 'sql') || (ts.isPropertyAccessExpression(x) && x.name.text === 'sql');
}

/** Follows query text back; reports every string operation that mixes in a value that is not a constant. */
function traceText(flow: Flow, constness: Constness, start: ts.Expression, report: (at: ts.Node, how: string, value: ts.Expression) => void): void {
  flow.trace(start, {
    visit: (x) => {
      const e = skipOuter(x);
      if (e !== x) return 'follow';
      if (ts.isStringLiteralLike(e) || ts.isNumericLiteral(e)) return 'stop';
      if (ts.isTaggedTemplateExpression(e)) {
        if (isSqlTag(e.tag)) return 'stop'; // parameterized: interpolations become $n
        if (ts.isTemplateExpression(e.template)) for (const s of e.template.templateSpans) checkPart(s.expression, e, `the ${oneLine(e.tag.getText(), 30)}\`…\` tag`);
        return 'stop';
      }
      if (ts.isTemplateExpression(e)) {
        for (const s of e.templateSpans) checkPart(s.expression, e, 'template interpolation');
        return 'stop';
      }
      if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)) {
        for (const part of [e.left, e.right]) checkPart(part, e, 'string concatenation');
        return 'stop';
      }
      if (ts.isObjectLiteralExpression(e)) {
        // A query config object: { text, values }.
        for (const p of e.properties) if (ts.isPropertyAssignment(p) && /^(text|sql)$/.test(p.name.getText())) traceText(flow, constness, p.initializer, report);
        return 'stop';
      }
      if (ts.isCallExpression(e)) {
        if (isSqlTag(e.expression) || (ts.isPropertyAccessExpression(e.expression) && isSqlTag(e.expression.expression))) return 'stop'; // sql.join / sql.raw: checked as their own sinks
        if (flow.program.functionOf(e.expression)) return 'follow';
        const callee = e.expression;
        const how = ts.isPropertyAccessExpression(callee) ? `.${callee.name.text}()` : `${oneLine(callee.getText(), 30)}()`;
        const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
        for (const part of [...(receiver && !isNamespace(flow, receiver) ? [receiver] : []), ...e.arguments]) checkPart(part, e, how);
        return 'stop';
      }
      if (ts.isNewExpression(e)) {
        const textArg = e.arguments?.[0];
        if (textArg) checkPart(textArg, e, `new ${oneLine(e.expression.getText(), 30)}()`);
        return 'stop';
      }
      return 'follow';
    },
    // The text comes from outside the project's own code (a request, a package's callback) with no
    // operation on it: a value used as the whole query is as injectable as one concatenated into it.
    opaque: (x) => report(x, 'a value used as the whole text', x),
  });

  function checkPart(part: ts.Expression, at: ts.Node, how: string): void {
    // A nested sql`…` fragment or another piece of query text: follow it as query text too.
    const p = skipOuter(part);
    if (ts.isTaggedTemplateExpression(p) && isSqlTag(p.tag)) return;
    const v = constness.variable(part);
    if (v) report(at, how, v);
  }
}

