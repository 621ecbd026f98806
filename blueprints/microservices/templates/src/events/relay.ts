/**
 * The outbox relay: publishes unsent outbox rows to JetStream, oldest first, with the row id as the
 * message id (the broker drops a second publish of the same id), then marks them sent. A row is only
 * marked after the broker acknowledged it, so a relay killed mid-batch publishes the rest again on
 * restart and the duplicates are dropped: every event is delivered, none twice. Rows are claimed with
 * FOR UPDATE SKIP LOCKED, so several relay replicas share the work. A failed publish is retried with
 * exponential backoff (the row's attempts and last error are kept).
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import { sql } from '../db/sql.js';
import { pollUntilStopped, type Polling } from '../lib/poll.js';

export interface RelayOptions {
  db: pg.Pool;
  js: JetStreamClient;
  batchSize: number;
  /** Pause when the outbox is empty; first retry delay after a failure (doubles, capped at 60x). */
  intervalMs: number;
  log: { error(obj: object, msg: string): void };
  metrics?: { published(n: number): void; failed(): void; lagSeconds(s: number): void };
}

interface OutboxRow {
  id: string;
  subject: string;
  payload: unknown;
  /** An ISO string with src/db/pool.ts's type parsers, a Date without them. */
  created_at: string | Date;
}

/** Publishes one batch; returns how many rows were published and marked sent. */
export async function relayBatch(options: RelayOptions): Promise<number> {
  const client = await options.db.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<OutboxRow>(
      sql`SELECT id, subject, payload, created_at FROM outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT ${options.batchSize} FOR UPDATE SKIP LOCKED`,
    );
    const sent: string[] = [];
    try {
      for (const row of rows) {
        // occurredAt: when the mutation committed its event; consumers measure their read model's staleness from it.
        const body = { id: row.id, occurredAt: new Date(row.created_at).toISOString(), ...(row.payload as object) };
        await options.js.publish(row.subject, JSON.stringify(body), {
          msgID: row.id,
        });
        sent.push(row.id);
      }
    } catch (err) {
      const failed = rows[sent.length];
      if (failed)
        await client.query(
          sql`UPDATE outbox SET attempts = attempts + 1, last_error = ${(err as Error).message} WHERE id = ${failed.id}`,
        );
      await markSent(client, sent);
      await client.query('COMMIT');
      options.metrics?.failed();
      throw err;
    }
    await markSent(client, sent);
    await client.query('COMMIT');
    options.metrics?.published(sent.length);
    return sent.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function markSent(client: pg.PoolClient, ids: string[]): Promise<void> {
  if (ids.length > 0) await client.query(sql`UPDATE outbox SET sent_at = now() WHERE id = ANY(${ids}::uuid[])`);
}

/** Seconds the oldest unsent event has waited (0 when the outbox is drained): the outbox lag. */
export async function outboxLagSeconds(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ lag: string | null }>(
    sql`SELECT EXTRACT(EPOCH FROM now() - min(created_at))::text AS lag FROM outbox WHERE sent_at IS NULL`,
  );
  return Number(rows[0]?.lag ?? 0);
}

/**
 * Runs batches until stopped: at once after a full batch, after intervalMs otherwise; a failed batch (a
 * publish refused, the database unreachable) is retried after a delay doubling per failure, at most 60
 * intervals. Returns stop(), which resolves once the current batch is done.
 */
export function startRelay(options: RelayOptions): Polling {
  return pollUntilStopped(
    async () => {
      const n = await relayBatch(options);
      options.metrics?.lagSeconds(await outboxLagSeconds(options.db));
      return n >= options.batchSize;
    },
    {
      idleMs: options.intervalMs,
      retryMs: (failures) => Math.min(options.intervalMs * 2 ** failures, options.intervalMs * 60),
      onError: (err, failures) =>
        options.log.error({ err, failures }, 'outbox relay batch failed; retrying with backoff'),
    },
  );
}
