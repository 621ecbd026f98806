import { sql } from './sql.js';
import type { Queryable } from './pool.js';

export interface AuditContext {
  actorId: string | null;
  requestId: string | null;
}

/** Records one mutation in audit_log; call it inside the mutation's transaction so both commit or neither. */
export async function writeAudit(
  tx: Queryable,
  ctx: AuditContext,
  action: 'create' | 'update' | 'delete',
  entity: string,
  entityId: string,
  changes: unknown,
): Promise<void> {
  await tx.query(sql`
    INSERT INTO audit_log (actor_id, action, entity, entity_id, request_id, changes)
    VALUES (${ctx.actorId}, ${action}, ${entity}, ${entityId}, ${ctx.requestId}, ${JSON.stringify(changes ?? null)}::jsonb)
  `);
}

/** Who and which request, for the audit row of a mutation made by an HTTP request. */
export function auditContext(request: { auth: { id: string } | null; id: string }): AuditContext {
  return { actorId: request.auth?.id ?? null, requestId: request.id };
}
