import { fail, pass, seed, skip, type Check } from '../../types.js';

export const migrationsParse: Check = {
  id: 'schema.migrations-parse',
  title: 'Every migration parses as PostgreSQL',
  seed: seed('s004', 'Database Design & Optimization: data migration strategies and schema versioning'),
  kind: 'static',
  async run({ project }) {
    const files = project.migrationFiles;
    if (files.length === 0) return fail('No SQL migrations found in migrations/', [{ text: 'migrations/*.sql: none' }], 'Restore the migrations (the initial schema is migrations/0001_initial.sql).');
    const schema = await project.schema();
    if (schema.errors.length)
      return fail(
        `${schema.errors.length} migration(s) do not parse`,
        schema.errors.map((e) => ({ file: e.file, line: e.line, text: e.message })),
        'Fix the SQL syntax; the migration runner would stop at this statement.',
      );
    if (schema.tables.size === 0) return skip('The migrations create no tables');
    return pass(`${files.length} migration(s) parse with the PostgreSQL parser; ${schema.tables.size} tables, ${schema.indexes.size} indexes`, files.map((f) => ({ file: f, text: 'parsed' })));
  },
};
