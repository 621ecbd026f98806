import { isPartition } from '../../analysis/schema.js';
import { fail, pass, seed, type Check, type Evidence } from '../../types.js';
import { codeSpans, missingRecord, readRecord, RECORD } from './record.js';

const bare = (s: string) => s.replace(/[`"*]/g, '').trim();

/**
 * The record's database design is the schema the migrations build: every table, every index (with
 * the query it serves), every declared access pattern with the index that serves it, and nothing the
 * migrations do not have.
 */
export const schemaMatches: Check = {
  id: 'architecture.schema-matches',
  title: "The decision record's database design matches the migrations (tables, every index and the query it serves)",
  seed: seed('s000', 'Validation Criteria: Database schema optimized for access patterns'),
  kind: 'static',
  async run({ project }) {
    const record = await readRecord(project);
    if (!record) return missingRecord();
    const schema = await project.schema();
    const problems: Evidence[] = [];
    const indexTable = record.tables.find((t) => t.header.some((h) => /^index/i.test(h)) && t.header.some((h) => /serves|query|purpose/i.test(h)));
    const tableTable = record.tables.find((t) => /^table/i.test(t.header[0] ?? '') && t.header.some((h) => /column/i.test(h)));
    if (!indexTable) problems.push({ file: RECORD, text: 'no index table (columns "index" and the query it "serves")' });
    if (!tableTable) problems.push({ file: RECORD, text: 'no table of tables (columns "table" and "columns")' });
    if (indexTable) {
      const nameCol = indexTable.header.findIndex((h) => /^index/i.test(h));
      const servesCol = indexTable.header.findIndex((h) => /serves|query|purpose/i.test(h));
      const listed = new Map(indexTable.rows.map((r) => [bare(r.cells[nameCol] ?? ''), r]));
      const onPartition = (name: string) => {
        const table = schema.tables.get(name);
        return table !== undefined && isPartition(schema, table);
      };
      const explicit = [...schema.indexes.values()].filter((i) => !i.implicit && !onPartition(i.table));
      for (const index of explicit) {
        const row = listed.get(index.name);
        if (!row) problems.push({ file: index.file, line: index.line, text: `index ${index.name} on ${index.table} is not in the record's index table` });
        else if (!(row.cells[servesCol] ?? '').trim()) problems.push({ file: RECORD, line: row.line, text: `index ${index.name}: the query it serves is not stated` });
      }
      for (const [name, row] of listed) if (name && !schema.indexes.has(name)) problems.push({ file: RECORD, line: row.line, text: `the record lists index ${name}, which the migrations do not create` });
      for (const entity of project.plan.entities)
        for (const planned of entity.indexes)
          if (planned.accessPattern && !listed.has(planned.name) && !explicit.some((i) => i.table === entity.tableName && listed.has(i.name) && i.columns.join() === planned.columns.join()))
            problems.push({ file: RECORD, line: indexTable.line, text: `access pattern ${planned.accessPattern.httpQuery} (${entity.name}) has no index in the record` });
    }
    if (tableTable) {
      const listed = new Set(tableTable.rows.map((r) => bare(codeSpans(r.cells[0] ?? '')[0] ?? r.cells[0] ?? '')));
      for (const table of schema.tables.values())
        if (!isPartition(schema, table) && !listed.has(table.name)) problems.push({ file: table.file, line: table.line, text: `table ${table.name} is not in the record's table of tables` });
      for (const row of tableTable.rows) {
        const name = bare(codeSpans(row.cells[0] ?? '')[0] ?? row.cells[0] ?? '');
        if (name && !schema.tables.has(name)) problems.push({ file: RECORD, line: row.line, text: `the record lists table ${name}, which the migrations do not create` });
      }
    }
    if (problems.length) return fail(`the record's database design differs from the migrations (${problems.length})`, problems, 'Run `backend-arch update` to redraw docs/architecture.md from the migrations, or edit its Tables and Indexes sections to match them.');
    return pass(`${[...schema.tables.values()].filter((t) => !isPartition(schema, t)).length} tables and ${[...schema.indexes.values()].filter((i) => !i.implicit).length} indexes in the record match the migrations`, [{ file: RECORD, line: indexTable!.line, text: 'index table with the query each serves' }]);
  },
};
