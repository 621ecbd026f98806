import { seed, verdict, type Check, type Evidence } from '../../types.js';

/** Declared fields keep their NOT NULL and foreign-key constraints in the schema on disk. */
export const constraints: Check = {
  id: 'schema.constraints',
  title: 'Required fields are NOT NULL and references are foreign keys',
  seed: seed('s003', 'Database Design Principles: Schema Design (Constraints: foreign keys, check constraints)'),
  kind: 'static',
  async run({ project }) {
    const schema = await project.schema();
    const problems: Evidence[] = [];
    let checked = 0;
    for (const e of project.plan.entities) {
      const t = schema.tables.get(e.tableName);
      if (!t) continue; // schema.audit-columns reports a missing table
      for (const c of e.fields) {
        const col = t.columns.get(c.name);
        checked++;
        if (!col) {
          problems.push({ file: t.file, line: t.line, text: `${t.name}.${c.name} (declared in the spec) is missing` });
          continue;
        }
        if (!c.nullable && !col.notNull) problems.push({ file: col.file, line: col.line, text: `${t.name}.${c.name} is nullable; the spec declares it required (NOT NULL)` });
      }
      for (const ref of e.references) {
        if (!t.foreignKeys.some((fk) => fk.columns.length === 1 && fk.columns[0] === ref.column && fk.refTable === ref.entity))
          problems.push({ file: t.file, line: t.line, text: `${t.name}.${ref.column} has no FOREIGN KEY to ${ref.entity}(id)` });
      }
    }
    return verdict(
      problems,
      { summary: `${checked} declared column(s) with their NOT NULL and foreign-key constraints` },
      { summary: `${problems.length} missing constraint(s)`, fix: 'Restore the constraint in a new migration (ALTER TABLE … ALTER COLUMN … SET NOT NULL / ADD FOREIGN KEY … REFERENCES …).' },
    );
  },
};
