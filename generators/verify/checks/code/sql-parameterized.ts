import ts from 'typescript';
import { parse } from 'libpg-query';
import { calleeName, findAll, literalString } from '../../analysis/source.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

const SQLISH = /^\s*(\(\s*)?(select|insert|update|delete|with|create|alter|drop|truncate|merge|copy)\b/i;

/**
 * Values reach SQL only as parameters: through the `sql` tag (every interpolation becomes $n) or as
 * pg's values array. Finds SQL text built by `+` or by an untagged template with substitutions (a
 * string is SQL if, with the holes filled, the PostgreSQL parser accepts it), and `sql.raw()` with
 * anything but a string literal.
 */
export const sqlParameterized: Check = {
  id: 'code.sql-parameterized',
  title: 'No SQL built by concatenation or template interpolation',
  seed: seed('s004', 'Security & Authentication: use parameterized queries to prevent SQL injection'),
  kind: 'static',
  async run({ project }) {
    const sources = await project.sources();
    const problems: Evidence[] = [];
    let queries = 0;
    for (const { sf } of sources.all.filter((s) => !/\.(test|spec)\.ts$/.test(s.file))) {
      for (const call of findAll(sf, ts.isCallExpression)) {
        const name = calleeName(call);
        if (name === 'raw' && ts.isPropertyAccessExpression(call.expression) && call.expression.expression.getText() === 'sql') {
          if (literalString(call.arguments[0]) === undefined) problems.push({ ...sources.at(call), text: `sql.raw() with a non-literal argument: ${call.getText().slice(0, 120)}` });
        }
        if (name === 'query') queries++;
      }
      for (const node of findAll(sf, (n): n is ts.TemplateExpression | ts.BinaryExpression => ts.isTemplateExpression(n) || (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken))) {
        if (ts.isTemplateExpression(node) && ts.isTaggedTemplateExpression(node.parent)) continue; // sql`…` (or another tag): values are the tag's business
        if (ts.isBinaryExpression(node) && ts.isBinaryExpression(node.parent) && node.parent.operatorToken.kind === ts.SyntaxKind.PlusToken) continue; // outermost only
        const parts = ts.isTemplateExpression(node) ? templateParts(node) : concatParts(node);
        if (!parts || parts.holes === 0) continue;
        if (!SQLISH.test(parts.literals[0] ?? '') && !parts.literals.some((l) => /\b(select\s.+\sfrom|insert\s+into|update\s+\S+\s+set|delete\s+from)\b/i.test(l))) continue;
        if (await parsesAsSql(parts.literals)) problems.push({ ...sources.at(node), text: `SQL built from ${ts.isTemplateExpression(node) ? 'template interpolation' : 'string concatenation'}: ${node.getText().replace(/\s+/g, ' ').slice(0, 140)}` });
      }
    }
    return verdict(
      problems,
      { summary: `No SQL text is built from values (${queries} query call(s); values go through the sql tag as $n parameters)` },
      { summary: `${problems.length} place(s) build SQL from values`, fix: 'Use the sql tag: db.query(sql`SELECT … WHERE id = ${id}`) — every interpolated value becomes a $n parameter. sql.raw() only with string literals.' },
    );
  },
};

function templateParts(t: ts.TemplateExpression): { literals: string[]; holes: number } {
  return { literals: [t.head.text, ...t.templateSpans.map((s) => s.literal.text)], holes: t.templateSpans.length };
}

function concatParts(b: ts.BinaryExpression): { literals: string[]; holes: number } | undefined {
  const flat: ts.Expression[] = [];
  const walk = (e: ts.Expression): void => {
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      walk(e.left);
      walk(e.right);
    } else if (ts.isParenthesizedExpression(e)) walk(e.expression);
    else flat.push(e);
  };
  walk(b);
  if (!flat.some((e) => literalString(e) !== undefined || ts.isTemplateExpression(e))) return undefined;
  const literals: string[] = [''];
  let holes = 0;
  for (const e of flat) {
    const s = literalString(e);
    if (s !== undefined) literals[literals.length - 1] = (literals[literals.length - 1] ?? '') + s;
    else if (ts.isTemplateExpression(e)) {
      const p = templateParts(e);
      literals[literals.length - 1] = (literals[literals.length - 1] ?? '') + (p.literals[0] ?? '');
      for (const l of p.literals.slice(1)) literals.push(l);
      holes += p.holes;
    } else {
      holes++;
      literals.push('');
    }
  }
  return { literals, holes };
}

/** Fill the holes with a parameter, then with an identifier; SQL if either parses. */
async function parsesAsSql(literals: string[]): Promise<boolean> {
  for (const fill of [(i: number) => `$${i + 1}`, () => 'x', () => "'x'"]) {
    const text = literals.reduce((acc, l, i) => (i === 0 ? l : `${acc}${fill(i - 1)}${l}`), '');
    try {
      const tree = (await parse(text)) as { stmts?: unknown[] };
      if ((tree.stmts?.length ?? 0) > 0) return true;
    } catch {
      // not SQL with this filling
    }
  }
  return false;
}
