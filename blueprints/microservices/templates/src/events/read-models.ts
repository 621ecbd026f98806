/**
 * Read models of other services' rows: the effect of their events, and the check a create or update
 * makes before naming such a row (422 when this service has never heard of it, or heard it was deleted).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../db/pool.js';
import { sql } from '../db/sql.js';
import { HttpError } from '../http/problem.js';
import type { ReadModelSpec } from './topology.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TABLE = /^rm_[a-z][a-z0-9_]{0,39}$/;

export interface DomainEvent {
  id: string;
  type: string;
  entity: string;
  entityId: string;
  data: Record<string, unknown> | null;
  /** When the owning service committed it (absent from an older relay's events). */
  occurredAt: Date | null;
}

/** Validates an event's body; a malformed one throws (and is dead-lettered after the last delivery). */
export function parseEvent(body: string, model: ReadModelSpec): DomainEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Error('event body is not JSON');
  }
  const e = value as Partial<DomainEvent> | null;
  if (!e || typeof e.id !== 'string' || !UUID.test(e.id)) throw new Error('event has no uuid id');
  if (e.entity !== model.entity) throw new Error(`event is about ${String(e.entity)}, not ${model.entity}`);
  if (typeof e.entityId !== 'string' || !UUID.test(e.entityId)) throw new Error('event has no uuid entityId');
  if (!['created', 'updated', 'deleted'].some((t) => e.type === `${model.entity}.${t}`))
    throw new Error(`unknown event type ${String(e.type)}`);
  const data = e.data !== null && typeof e.data === 'object' && !Array.isArray(e.data) ? e.data : null;
  const at = typeof e.occurredAt === 'string' ? new Date(e.occurredAt) : null;
  const occurredAt = at && !Number.isNaN(at.getTime()) ? at : null;
  return { id: e.id, type: e.type!, entity: e.entity, entityId: e.entityId, data, occurredAt };
}

/** Read-model table names are constants from the plan; checked anyway before they reach SQL text. */
function table(model: { readModel?: string; table?: string }): ReturnType<typeof sql.raw> {
  const name = model.readModel ?? model.table ?? '';
  if (!TABLE.test(name)) throw new Error(`not a read-model table: ${name}`);
  return sql.raw(name);
}

/** Upserts (created/updated: fields merged, version + 1) or marks deleted. */
export async function applyEvent(tx: Queryable, model: ReadModelSpec, event: DomainEvent): Promise<void> {
  const deleted = event.type.endsWith('.deleted');
  const data = JSON.stringify(deleted ? {} : (event.data ?? {}));
  await tx.query(sql`
    INSERT INTO ${table(model)} AS rm (id, data, deleted) VALUES (${event.entityId}, ${data}::jsonb, ${deleted})
    ON CONFLICT (id) DO UPDATE SET data = rm.data || EXCLUDED.data, deleted = rm.deleted OR EXCLUDED.deleted,
      version = rm.version + 1, updated_at = now()
  `);
}

/** A preHandler: every named id of another service's entity must be in this service's read model. */
export function requireKnownReferences(checks: { column: string; readModel: string; entity: string }[]) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (request.method !== 'POST' && request.method !== 'PATCH') return;
    const body = (request.body ?? {}) as Record<string, unknown>;
    const missing: { path: string; message: string }[] = [];
    for (const check of checks) {
      const id = body[check.column];
      if (typeof id !== 'string') continue;
      const { rowCount } = await request.server.db.query(
        sql`SELECT 1 FROM ${table(check)} WHERE id = ${id} AND NOT deleted`,
      );
      if (rowCount === 0)
        missing.push({
          path: `/${check.column}`,
          message: `no ${check.entity} with id ${id} is known to this service`,
        });
    }
    if (missing.length > 0)
      throw new HttpError(
        422,
        `The request names a ${missing.map((m) => m.path.slice(1)).join(', ')} that does not exist`,
        missing,
      );
  };
}
