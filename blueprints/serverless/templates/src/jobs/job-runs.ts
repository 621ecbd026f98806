/**
 * job_runs is the job's state and what makes processing idempotent. A row is written 'queued' when
 * the job is accepted; a delivery claims it ('active', attempts + 1) only from 'queued' or 'failed',
 * or from an 'active' claim older than the job's timeout (a consumer that died). A duplicate or
 * redriven message for a completed job finds nothing to claim and is acknowledged without running the
 * work again; one that arrives while another delivery is running is retried later.
 */
import type pg from 'pg';
import { json, sql } from '../db/sql.js';

export type Claim = { claimed: true; attempts: number } | { claimed: false; status: string | null };

export async function claim(db: pg.Client, queue: string, jobId: string, timeoutMs: number): Promise<Claim> {
  const { rows } = await db.query<{ attempts: number }>(sql`
    UPDATE job_runs SET status = 'active', attempts = attempts + 1, error = NULL
    WHERE queue = ${queue} AND job_id = ${jobId}
      AND (status IN ('queued', 'failed') OR (status = 'active' AND updated_at < now() - make_interval(secs => ${timeoutMs / 1000})))
    RETURNING attempts
  `);
  if (rows[0]) return { claimed: true, attempts: rows[0].attempts };
  // Not claimable: count a delivery of a finished job (a duplicate), report what the job is doing.
  const current = await db.query<{ status: string }>(sql`
    UPDATE job_runs SET duplicate_deliveries = duplicate_deliveries + CASE WHEN status IN ('completed', 'dead') THEN 1 ELSE 0 END
    WHERE queue = ${queue} AND job_id = ${jobId} RETURNING status
  `);
  return { claimed: false, status: current.rows[0]?.status ?? null };
}

export async function complete(db: pg.Client, queue: string, jobId: string, result: unknown): Promise<void> {
  await db.query(
    sql`UPDATE job_runs SET status = 'completed', result = ${json(result)}::jsonb, error = NULL WHERE queue = ${queue} AND job_id = ${jobId}`,
  );
}

export async function failed(db: pg.Client, queue: string, jobId: string, error: string): Promise<void> {
  await db.query(
    sql`UPDATE job_runs SET status = 'failed', error = ${error.slice(0, 10_000)} WHERE queue = ${queue} AND job_id = ${jobId}`,
  );
}

/** The dead-letter consumer: retries are exhausted; keep the job, its attempts and last error for inspection and redrive. */
export async function deadLettered(db: pg.Client, queue: string, jobId: string): Promise<boolean> {
  const { rowCount } = await db.query(sql`
    UPDATE job_runs SET status = 'dead', error = coalesce(error, 'retries exhausted')
    WHERE queue = ${queue} AND job_id = ${jobId} AND status <> 'completed'
  `);
  return rowCount === 1;
}
