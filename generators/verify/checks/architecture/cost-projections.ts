import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { listItems, missingRecord, readRecord, RECORD, section } from './record.js';

const MULTIPLIERS = [1, 2, 5, 10];
const money = (cell: string) => {
  const m = /^\**\s*\$?\s*([\d,]+(?:\.\d+)?)\s*\**$/.exec(cell.trim());
  return m ? Number(m[1]!.replace(/,/g, '')) : NaN;
};

/** Cost at 1×, 2×, 5× and 10× of the stated load: a total per column, growing with load, the formula and dated prices. */
export const costProjections: Check = {
  id: 'architecture.cost-projections',
  title: 'The decision record projects monthly cost at 1×, 2×, 5× and 10× load, with its formula and dated prices',
  seed: seed('s000', 'Validation Criteria: Cost projections included (Cost Estimation: at 2x, 5x, 10x traffic)'),
  kind: 'static',
  async run({ project }) {
    const record = await readRecord(project);
    if (!record) return missingRecord();
    const problems: Evidence[] = [];
    const table = record.tables.find((t) => MULTIPLIERS.filter((m) => t.header.some((h) => new RegExp(`^\\**${m}\\s*[×x]\\**$`, 'i').test(h))).length >= 2);
    if (!table) return fail('no cost table', [{ file: RECORD, text: 'no table with columns 1×, 2×, 5× and 10×' }], 'Add a cost table with one column per load multiple (1×, 2×, 5×, 10×) and a total row.');
    const columns = MULTIPLIERS.map((m) => table.header.findIndex((h) => new RegExp(`^\\**${m}\\s*[×x]\\**$`, 'i').test(h)));
    MULTIPLIERS.forEach((m, i) => {
      if (columns[i]! < 0) problems.push({ file: RECORD, line: table.line, text: `no ${m}× column` });
    });
    const total = table.rows.find((r) => /total/i.test(r.cells[0] ?? ''));
    if (!total) problems.push({ file: RECORD, line: table.line, text: 'no total row' });
    else {
      const values = columns.map((c) => (c < 0 ? NaN : money(total.cells[c] ?? '')));
      values.forEach((v, i) => {
        if (columns[i]! >= 0 && Number.isNaN(v)) problems.push({ file: RECORD, line: total.line, text: `the ${MULTIPLIERS[i]}× total "${total.cells[columns[i]!] ?? ''}" is not an amount` });
      });
      for (let i = 1; i < values.length; i++)
        if (values[i]! < values[i - 1]!) problems.push({ file: RECORD, line: total.line, text: `the total falls from ${values[i - 1]} at ${MULTIPLIERS[i - 1]}× to ${values[i]} at ${MULTIPLIERS[i]}×` });
    }
    const costSection = record.sections.find((s) => s.line <= table.line && (s.body.at(-1)?.line ?? 0) >= table.line && /cost|capacity/i.test(s.title));
    const formulas = costSection && listItems(costSection).filter((l) => /=/.test(l.text));
    if (!formulas?.length) problems.push({ file: RECORD, line: table.line, text: 'no formula (a list item with "=") in the cost section' });
    const dated = record.tables.find((t) => t.header.some((h) => /source/i.test(h)) && t.header.some((h) => /date/i.test(h)) && t.rows.length > 0);
    const undated = dated?.rows.filter((r) => !r.cells.some((c) => /^\d{4}-\d{2}-\d{2}$/.test(c)) || !r.cells.some((c) => /^https?:\/\//.test(c)));
    if (!dated) problems.push({ file: RECORD, text: 'no price table with a source and a date per price' });
    else for (const r of undated ?? []) problems.push({ file: RECORD, line: r.line, text: `price "${r.cells[0]}" lacks a source URL or a date` });
    if (!section(record, /cost|capacity/i)) problems.push({ file: RECORD, text: 'no Capacity and cost section' });
    if (problems.length) return fail(`cost projections incomplete (${problems.length})`, problems, 'Keep the cost table (1×, 2×, 5×, 10× and a total row), its formulas and the dated price table; `backend-arch update` redraws them.');
    return pass(`monthly cost at 1×–10×: ${columns.map((c) => total!.cells[c]).join(' → ')}`, [{ file: RECORD, line: total!.line, text: total!.cells.join(' | ') }]);
  },
};
