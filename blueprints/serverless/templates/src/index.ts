/**
 * The Worker: one module, two entry points. `fetch` answers HTTP (src/http/app.ts); `queue` consumes
 * the job queues and their dead-letter queues (src/jobs/consumer.ts). Both reach PostgreSQL only
 * through the Hyperdrive binding.
 */
import type { WorkerEnv } from './env.js';
import { handleRequest } from './http/app.js';
import { handleQueueBatch } from './jobs/consumer.js';
import type { JobMessage } from './jobs/definitions.js';

export default {
  fetch: handleRequest,
  queue: handleQueueBatch,
} satisfies ExportedHandler<WorkerEnv, JobMessage>;
