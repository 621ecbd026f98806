import { fail, pass, seed, skip, type Check } from '../../types.js';

/**
 * The plan names the audit log (`plan.auditLog`: its table and the time column it is partitioned on);
 * this check finds that table in the project's migrations and confirms it is partitioned, with the
 * partitions the migrations create.
 */
export const auditLog: Check = {
  id: 'schema.audit-log-partitioned',
  title: 'Mutations have an audit log, partitioned by time',
  seed: seed('s000', 'Database Design: partitioning strategy for large tables; Security Checklist: Audit logging (all mutations)'),
  kind: 'static',
  async run({ project }) {
    const audit = project.plan.auditLog;
    if (!audit) return skip(`The ${project.blueprint.id} blueprint's plan keeps no audit log (plan.auditLog)`);
    const { table, partitionKey } = audit;
    const schema = await project.schema();
    const t = schema.tables.get(table);
    const partitioned = `PARTITION BY RANGE (${partitionKey})`;
    if (!t) return fail(`No ${table} table in the migrations`, [{ text: `CREATE TABLE ${table}: not found` }], `Restore the ${table} table (${partitioned}).`);
    if (!t.partitionedBy) return fail(`${table} is not partitioned`, [{ file: t.file, line: t.line, text: t.sql.split('\n')[0] ?? t.name }], `Create ${table} with ${partitioned} so old months can be detached.`);
    const parts = [...schema.tables.values()].filter((p) => p.partitionOf === table);
    return pass(`${table} is partitioned (${t.partitionedBy}) with ${parts.length} partition(s) created by migrations`, [{ file: t.file, line: t.line, text: partitioned }]);
  },
};
