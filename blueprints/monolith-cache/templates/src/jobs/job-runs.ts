/**
 * Idempotent processing: every job has one job_runs row (queue, job_id). A retried or duplicated job
 * finds its row; if that run already completed, its stored result is returned and the work is not
 * redone. The row also keeps the result for the status endpoint after BullMQ has dropped the job.
 */
import type { Job } from 'bullmq';
import type { Queryable } from '../db/pool.js';
import { json, sql } from '../db/sql.js';
import type { JobData } from './definitions.js';

export async function runOnce<T>(db: Queryable, job: Job<JobData>, work: () => Promise<T>): Promise<T> {
  const queue = job.queueName;
  const jobId = job.id ?? '';
  const { rows } = await db.query<{ status: string; result: unknown }>(sql`
    INSERT INTO job_runs (queue, job_id, entity_id, status, attempts)
    VALUES (${queue}, ${jobId}, ${job.data.entityId}, 'active', 1)
    ON CONFLICT (queue, job_id) DO UPDATE SET
      status = CASE WHEN job_runs.status = 'completed' THEN 'completed' ELSE 'active' END,
      attempts = job_runs.attempts + CASE WHEN job_runs.status = 'completed' THEN 0 ELSE 1 END
    RETURNING status, result
  `);
  if (rows[0]?.status === 'completed') return rows[0].result as T;
  try {
    const result = await work();
    await db.query(sql`
      UPDATE job_runs SET status = 'completed', result = ${json(result)}::jsonb, error = NULL
      WHERE queue = ${queue} AND job_id = ${jobId}
    `);
    return result;
  } catch (err) {
    await db
      .query(
        sql`UPDATE job_runs SET status = 'failed', error = ${(err as Error).message} WHERE queue = ${queue} AND job_id = ${jobId}`,
      )
      .catch(() => undefined);
    throw err;
  }
}
