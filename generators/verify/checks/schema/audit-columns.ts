import { seed, verdict, type Check, type Evidence } from '../../types.js';

export const auditColumns: Check = {
  id: 'schema.audit-columns',
  title: 'Entity tables have audit columns (created_at, updated_at) and deleted_at where soft-deleted',
  seed: seed('s001', 'Workflow 3, Database Design: include soft deletes, audit columns'),
  kind: 'static',
  async run({ project }) {
    const schema = await project.schema();
    const problems: Evidence[] = [];
    for (const e of project.plan.entities) {
      const t = schema.tables.get(e.tableName);
      if (!t) {
        problems.push({ text: `entity ${e.name}: table ${e.tableName} is not created by any migration` });
        continue;
      }
      const want = ['created_at', 'updated_at', ...(e.softDelete ? ['deleted_at'] : [])];
      for (const name of want) {
        const col = t.columns.get(name);
        if (!col) problems.push({ file: t.file, line: t.line, text: `${t.name}.${name} is missing` });
        else if (!col.type.startsWith('timestamp')) problems.push({ file: col.file, line: col.line, text: `${t.name}.${name} is ${col.type}, expected timestamptz` });
        else if (name !== 'deleted_at' && !(col.notNull && col.hasDefault)) problems.push({ file: col.file, line: col.line, text: `${t.name}.${name} must be NOT NULL DEFAULT now()` });
      }
    }
    return verdict(
      problems,
      { summary: `${project.plan.entities.length} entity table(s) with created_at/updated_at${project.plan.entities.some((e) => e.softDelete) ? ' (and deleted_at where soft-deleted)' : ''}` },
      { summary: `${problems.length} audit-column problem(s)`, fix: 'Add `created_at timestamptz NOT NULL DEFAULT now()`, `updated_at timestamptz NOT NULL DEFAULT now()` (and `deleted_at timestamptz` for soft delete) in a new migration.' },
    );
  },
};
