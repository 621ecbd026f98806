import { indexesOf } from '../../analysis/schema.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

export const fkIndexed: Check = {
  id: 'schema.fk-indexed',
  title: 'Every foreign key leads an index',
  seed: seed('s000', 'Database Design: Indexing Strategy'),
  kind: 'static',
  async run({ project }) {
    const schema = await project.schema();
    const problems: Evidence[] = [];
    const ok: Evidence[] = [];
    for (const t of schema.tables.values()) {
      for (const fk of t.foreignKeys) {
        const leading = (cols: (string | null)[]) => fk.columns.every((c) => cols.slice(0, fk.columns.length).includes(c));
        // A partial index cannot back the referential check: it must see every row (deleted ones too).
        const index = indexesOf(schema, t.name).find((i) => i.where === null && leading(i.columns));
        const label = `${t.name}(${fk.columns.join(', ')}) → ${fk.refTable}`;
        if (index) ok.push({ file: index.file, line: index.line, text: `${label}: ${index.name}` });
        else {
          const partial = indexesOf(schema, t.name).find((i) => leading(i.columns));
          problems.push({
            file: fk.file,
            line: fk.line,
            text: `foreign key ${label} has no index leading with ${fk.columns.join(', ')}${partial ? ` (only the partial index ${partial.name}, which skips deleted rows)` : ''}`,
          });
        }
      }
    }
    return verdict(
      problems,
      { summary: `${ok.length} foreign key(s), each leading a full index`, evidence: ok },
      {
        summary: `${problems.length} foreign key(s) without an index`,
        fix: 'Add `CREATE INDEX <table>_<column>_fk_idx ON <table> (<column>);` in a new migration: without it a parent delete scans the whole child table and joins cannot use an index.',
      },
    );
  },
};
