/**
 * The outbox relay: claims due outbox rows (FOR UPDATE SKIP LOCKED, so several relays never deliver
 * the same row at once), delivers each to the functions' ingress signed with HMAC-SHA256, marks it
 * sent, and on failure schedules the next attempt with exponential backoff; a row that fails
 * RELAY_MAX_ATTEMPTS times marks its job dead (visible at the status endpoint), never silently lost.
 *
 * Delivery is at least once: a relay that dies after delivering but before its transaction commits
 * leaves the rows unsent, and the next relay delivers them again. The functions' consumer is
 * idempotent (job_runs claims), so a duplicate delivery never runs a job twice.
 */
import { createHmac } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { sql } from '../db/sql.js';
import { pollUntilStopped } from '../lib/poll.js';
import { OFFLOADED_JOBS } from './outbox.js';
import type { RelayMetrics } from './metrics.js';

export const SIGNATURE_HEADER = 'x-offload-signature';
export const TIMESTAMP_HEADER = 'x-offload-timestamp';

export interface RelaySettings {
  ingressUrl: string;
  signingSecret: string;
  batchSize: number;
  intervalMs: number;
  backoffBaseMs: number;
  maxAttempts: number;
}

/** `sha256=<hex>` of "<timestamp>.<body>": the ingress recomputes it and refuses a stale timestamp. */
export function sign(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Delay before attempt n+1 after n failures: base × 2^(n−1), at most 5 minutes. */
export function backoffMs(baseMs: number, failures: number): number {
  return Math.min(300_000, baseMs * 2 ** Math.max(0, failures - 1));
}

interface OutboxRow {
  id: string;
  job: string;
  job_id: string;
  payload: unknown;
  attempts: number;
}

async function deliver(settings: RelaySettings, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const response = await fetch(settings.ingressUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: sign(settings.signingSecret, timestamp, body),
    },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`ingress answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
}

/** One batch: claims due rows, delivers them, records each outcome, commits. Returns the rows claimed. */
export async function relayBatch(
  db: pg.Pool,
  settings: RelaySettings,
  log: Logger,
  metrics: RelayMetrics,
): Promise<number> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<OutboxRow>(sql`
      SELECT id, job, job_id, payload, attempts FROM outbox
      WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
      ORDER BY next_attempt_at, id
      LIMIT ${settings.batchSize}
      FOR UPDATE SKIP LOCKED
    `);
    for (const row of rows) {
      try {
        await deliver(settings, row.payload);
        await client.query(
          sql`UPDATE outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ${row.id}`,
        );
        metrics.relay_deliveries_total.inc({ job: row.job, outcome: 'sent' });
      } catch (err) {
        const failures = row.attempts + 1;
        const message = (err as Error).message.slice(0, 1000);
        if (failures >= settings.maxAttempts) {
          await client.query(
            sql`UPDATE outbox SET failed_at = now(), attempts = ${failures}, last_error = ${message} WHERE id = ${row.id}`,
          );
          await client.query(sql`
            UPDATE job_runs SET status = 'dead', error = ${`undeliverable to the functions after ${failures} attempts: ${message}`}
            WHERE queue = ${row.job} AND job_id = ${row.job_id} AND status = 'queued'
          `);
          metrics.relay_deliveries_total.inc({ job: row.job, outcome: 'dead' });
          log.error(
            { outboxId: row.id, job: row.job, jobId: row.job_id, attempts: failures, err },
            'outbox row undeliverable; job marked dead',
          );
        } else {
          const delay = backoffMs(settings.backoffBaseMs, failures);
          await client.query(sql`
            UPDATE outbox SET attempts = ${failures}, last_error = ${message}, next_attempt_at = now() + make_interval(secs => ${delay / 1000})
            WHERE id = ${row.id}
          `);
          metrics.relay_deliveries_total.inc({ job: row.job, outcome: 'retried' });
          log.warn(
            { outboxId: row.id, job: row.job, jobId: row.job_id, attempts: failures, retryInMs: delay, err },
            'delivery failed; retrying',
          );
        }
      }
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Sets the gauges from the outbox and job_runs (at scrape time). */
export async function refreshRelayGauges(db: pg.Pool, metrics: RelayMetrics): Promise<void> {
  const pending = await db.query<{ n: number; lag: number }>(sql`
    SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS lag
    FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
  `);
  metrics.outbox_pending.set(pending.rows[0]?.n ?? 0);
  metrics.outbox_lag_seconds.set(pending.rows[0]?.lag ?? 0);
  const states = await db.query<{ queue: string; status: string; n: number }>(sql`
    SELECT queue, status, count(*)::int AS n FROM job_runs WHERE queue = ANY(${[...OFFLOADED_JOBS]}::text[]) GROUP BY queue, status
  `);
  for (const queue of OFFLOADED_JOBS)
    for (const status of ['queued', 'active', 'failed', 'dead', 'completed']) {
      const row = states.rows.find((r) => r.queue === queue && r.status === status);
      metrics.offloaded_jobs.set({ queue, status }, row?.n ?? 0);
    }
}

export interface RunningRelay {
  /** Stops claiming; resolves once the batch in flight has committed. */
  close(): Promise<void>;
}

/**
 * Runs batches until closed: at once while there is work, after intervalMs when the outbox has nothing
 * due; a failed batch (PostgreSQL unreachable: nothing was marked) is retried with backoff.
 */
export function startRelay(db: pg.Pool, settings: RelaySettings, log: Logger, metrics: RelayMetrics): RunningRelay {
  // Every job's delivery counters start at 0, so rate() in the RelayDeliveryFailures alert has a series before the first delivery.
  for (const job of OFFLOADED_JOBS)
    for (const outcome of ['sent', 'retried', 'dead']) metrics.relay_deliveries_total.inc({ job, outcome }, 0);
  const polling = pollUntilStopped(async () => (await relayBatch(db, settings, log, metrics)) > 0, {
    idleMs: settings.intervalMs,
    retryMs: (failures) => backoffMs(settings.intervalMs, failures),
    onError: (err) => log.error({ err }, 'relay batch failed'),
  });
  return { close: () => polling.stop() };
}
