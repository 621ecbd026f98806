import { isPartition } from '../../analysis/schema.js';
import { seed, verdict, type Check, type Evidence } from '../../types.js';

export const primaryKeys: Check = {
  id: 'schema.primary-keys',
  title: 'Every table has a primary key',
  seed: seed('s003', 'Database Design Principles: Schema Design (Constraints)'),
  kind: 'static',
  async run({ project }) {
    const schema = await project.schema();
    const problems: Evidence[] = [];
    let checked = 0;
    for (const t of schema.tables.values()) {
      if (isPartition(schema, t)) continue; // a partition inherits its parent's key
      checked++;
      if (!t.primaryKey) problems.push({ file: t.file, line: t.line, text: `table ${t.name} has no PRIMARY KEY` });
    }
    return verdict(
      problems,
      { summary: `${checked} tables, each with a primary key` },
      { summary: `${problems.length} table(s) without a primary key`, fix: 'Add a PRIMARY KEY (id uuid PRIMARY KEY DEFAULT gen_random_uuid()) in a new migration.' },
    );
  },
};
