import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { missingRecord, readRecord, RECORD, section, type Table } from './record.js';

/** Criteria a decision matrix compares (seed 000, Step 4: "Rank by criteria"). */
const CRITERIA = [/scalab/i, /perform/i, /cost/i, /complex|operat/i, /team|productiv|reliab|secur/i];
const SCORE = /^(\*\*)?\s*(-?\d+(\.\d+)?|[⭐★]+|💰+|low|medium|high)\s*(\*\*)?$/iu;

/** The matrix: a table whose header names at least three criteria; the first column names the option. */
export function decisionMatrix(tables: Table[]): { table: Table; columns: number[] } | undefined {
  for (const table of tables) {
    const columns = table.header.map((h, i) => (i > 0 && CRITERIA.some((c) => c.test(h)) ? i : -1)).filter((i) => i > 0);
    if (columns.length >= 3) return { table, columns };
  }
  return undefined;
}

export const patternsEvaluated: Check = {
  id: 'architecture.patterns-evaluated',
  title: 'The decision record evaluates at least three architectural patterns in a decision matrix',
  seed: seed('s000', 'Validation Criteria: At least 3 architectural patterns evaluated'),
  kind: 'static',
  async run({ project }) {
    const record = await readRecord(project);
    if (!record) return missingRecord();
    const matrix = decisionMatrix(record.tables);
    if (!matrix)
      return fail('no decision matrix', [{ file: RECORD, text: 'no table whose header names at least three criteria (scalability, performance, cost, complexity, team fit)' }], 'Compare the options in a table: one row per pattern, one column per criterion.');
    const problems: Evidence[] = [];
    const options = new Set<string>();
    for (const row of matrix.table.rows) {
      const option = row.cells[0]?.replace(/[`*]/g, '').trim() ?? '';
      const unscored = matrix.columns.filter((c) => !SCORE.test(row.cells[c] ?? ''));
      if (!option) problems.push({ file: RECORD, line: row.line, text: 'a matrix row names no option' });
      else if (unscored.length) problems.push({ file: RECORD, line: row.line, text: `${option}: no score for ${unscored.map((c) => matrix.table.header[c]).join(', ')}` });
      else options.add(option.toLowerCase());
    }
    if (options.size < 3) problems.push({ file: RECORD, line: matrix.table.line, text: `${options.size} pattern(s) scored on every criterion; at least 3 are required` });
    const decision = section(record, /^(\d+\.\s*)?(the )?(decision|recommendation)s?$|^(chosen|recommended)\b/i);
    if (!decision || !decision.body.some((l) => [...options].some((o) => l.text.toLowerCase().includes(o.split(' (')[0]!))))
      problems.push({ file: RECORD, ...(decision ? { line: decision.line } : {}), text: 'no Decision section naming one of the evaluated patterns' });
    if (problems.length) return fail(`the decision matrix is incomplete (${problems.length} problem(s))`, problems, 'Score at least three patterns on every criterion and state which one was chosen, in a Decision section.');
    return pass(`${options.size} patterns scored on ${matrix.columns.length} criteria, and a decision`, [{ file: RECORD, line: matrix.table.line, text: [...options].join('; ') }]);
  },
};
