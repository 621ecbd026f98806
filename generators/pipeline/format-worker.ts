/** The formatter thread: loads prettier once, then formats the batches format.ts sends it. */
import { parentPort } from 'node:worker_threads';
import type { Options } from 'prettier';
import { formatBatch, WARM_UP, type FormatJob } from './prettier-format.js';

interface Request {
  id: number;
  jobs: FormatJob[];
  config: Options;
}

// Warm up at once: the main thread is busy loading modules and rendering templates meanwhile.
const warm = formatBatch(WARM_UP, {}).catch(() => undefined);

parentPort!.on('message', (request: Request) => {
  void warm
    .then(() => formatBatch(request.jobs, request.config))
    .then(
      (results) => parentPort!.postMessage({ id: request.id, results }),
      (err: unknown) => parentPort!.postMessage({ id: request.id, error: (err as Error).message }),
    );
});
