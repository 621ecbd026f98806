import { fail, pass, seed, type Check } from '../../types.js';

export const auditLog: Check = {
  id: 'schema.audit-log-partitioned',
  title: 'Mutations have an audit log, partitioned by time',
  seed: seed('s000', 'Database Design: partitioning strategy for large tables; Security Checklist: Audit logging (all mutations)'),
  kind: 'static',
  async run({ project }) {
    const schema = await project.schema();
    const t = schema.tables.get('audit_log');
    if (!t) return fail('No audit_log table in the migrations', [{ text: 'CREATE TABLE audit_log: not found' }], 'Restore the audit_log table (PARTITION BY RANGE (created_at)).');
    if (!t.partitionedBy) return fail('audit_log is not partitioned', [{ file: t.file, line: t.line, text: t.sql.split('\n')[0] ?? t.name }], 'Create audit_log with PARTITION BY RANGE (created_at) so old months can be detached.');
    const parts = [...schema.tables.values()].filter((p) => p.partitionOf === 'audit_log');
    return pass(`audit_log is partitioned (${t.partitionedBy}) with ${parts.length} partition(s) created by migrations`, [{ file: t.file, line: t.line, text: 'PARTITION BY RANGE (created_at)' }]);
  },
};
