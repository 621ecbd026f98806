/**
 * The queue handler: a batch from a job queue or from its dead-letter queue. Each message is
 * processed on its own and acknowledged or retried on its own (a failure never redelivers the batch's
 * successes). A failure is retried with exponential backoff (message.retry({ delaySeconds })); after
 * the queue's max_retries Cloudflare moves the message to the dead-letter queue, whose delivery here
 * records the job as dead.
 */
import { lazyDatabase } from '../http/context.js';
import { loadConfig, type WorkerEnv } from '../env.js';
import { createLogger, type Logger } from '../observability/log.js';
import { recordJob } from '../observability/metrics.js';
import { backoffSeconds, JOBS, type JobDefinition, type JobMessage } from './definitions.js';
import { claim, complete, deadLettered, failed } from './job-runs.js';
import type pg from 'pg';

const DEFINITIONS: JobDefinition[] = Object.values(JOBS);

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)),
  );
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function processMessage(
  db: pg.Client,
  env: WorkerEnv,
  job: JobDefinition,
  message: Message<JobMessage>,
  backoffBaseMs: number,
  log: Logger,
): Promise<void> {
  const started = Date.now();
  const { jobId } = message.body;
  const claimed = await claim(db, job.name, message.body, job.timeoutMs);
  if (!claimed.claimed) {
    if (claimed.status === 'active') {
      // Another delivery of the same job is running: look again later instead of running it twice.
      message.retry({ delaySeconds: backoffSeconds(Math.max(backoffBaseMs, 1000), message.attempts) });
      return;
    }
    log.info('duplicate delivery acknowledged without running the job', { jobId, status: claimed.status });
    recordJob(env, job.name, 'duplicate', Date.now() - started);
    message.ack();
    return;
  }
  try {
    const result = await withTimeout(job.run(db, message.body), job.timeoutMs);
    await complete(db, job.name, message.body, result);
    recordJob(env, job.name, 'completed', Date.now() - started);
    log.info('job completed', { jobId, attempt: claimed.attempts, durationMs: Date.now() - started });
    message.ack();
  } catch (err) {
    await failed(db, job.name, message.body, (err as Error).message).catch(() => undefined);
    const delaySeconds = backoffSeconds(backoffBaseMs, message.attempts);
    recordJob(env, job.name, 'retried', Date.now() - started);
    log.warn('job failed; retrying', {
      jobId,
      attempt: message.attempts,
      maxRetries: job.maxRetries,
      delaySeconds,
      err,
    });
    message.retry({ delaySeconds });
  }
}

/** The request ids of a batch's messages: a line about the whole batch still correlates with the requests that enqueued it. */
function requestIdsOf(batch: MessageBatch<JobMessage>): string[] {
  return batch.messages.map((m) => m.body.requestId);
}

export async function handleQueueBatch(batch: MessageBatch<JobMessage>, env: WorkerEnv): Promise<void> {
  const config = loadConfig(env);
  const log = createLogger(config.LOG_LEVEL, { queue: batch.queue });
  const work = DEFINITIONS.find((j) => j.queue === batch.queue);
  const dead = DEFINITIONS.find((j) => j.deadLetterQueue === batch.queue);
  if (!work && !dead) {
    log.error('batch from an unknown queue; retrying it', {
      size: batch.messages.length,
      requestIds: requestIdsOf(batch),
    });
    batch.retryAll();
    return;
  }
  const database = lazyDatabase(env, config);
  try {
    const db = await database.db();
    for (const message of batch.messages) {
      const messageLog = log.child({ messageId: message.id, requestId: message.body.requestId });
      if (dead) {
        const recorded = await deadLettered(db, dead.name, message.body);
        recordJob(env, dead.name, 'dead', 0);
        messageLog.error('job dead-lettered: retries exhausted', { jobId: message.body.jobId, recorded });
        message.ack();
      } else if (work) {
        await processMessage(db, env, work, message, config.JOB_BACKOFF_BASE_MS ?? work.backoffBaseMs, messageLog);
      }
    }
  } catch (err) {
    // PostgreSQL unreachable: nothing was claimed; every message not yet settled comes back later.
    log.error('batch failed', { err, requestIds: requestIdsOf(batch) });
    batch.retryAll({ delaySeconds: 5 });
  } finally {
    await database.close();
  }
}
