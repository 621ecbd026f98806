/** The formatter thread: loads prettier on its first batch, then formats the batches format.ts sends it. */
import { parentPort } from 'node:worker_threads';
import type { Options } from 'prettier';
import { formatBatch, type FormatJob } from './prettier-format.js';

interface Request {
  id: number;
  jobs: FormatJob[];
  config: Options;
}

// No warm-up: the thread is started when the first batch is ready (format.ts), so there is nothing to
// overlap with; prettier loads the plugins that batch needs.
parentPort!.on('message', (request: Request) => {
  void formatBatch(request.jobs, request.config).then(
    (results) => parentPort!.postMessage({ id: request.id, results }),
    (err: unknown) => parentPort!.postMessage({ id: request.id, error: (err as Error).message }),
  );
});
