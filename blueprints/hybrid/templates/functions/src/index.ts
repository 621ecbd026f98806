/**
 * The functions half of the hybrid: one Worker, two entry points. `fetch` takes the relay's signed
 * deliveries (POST /ingress, src/ingress.ts) and answers GET /health; `queue` is the serverless
 * blueprint's consumer (src/jobs/consumer.ts): each job's queue, then its dead-letter queue, against
 * the API's PostgreSQL through Hyperdrive.
 */
import type { WorkerEnv } from './env.js';
import { ConfigError } from './env.js';
import { handleIngress } from './ingress.js';
import { handleQueueBatch } from './jobs/consumer.js';
import type { JobMessage } from './jobs/definitions.js';

async function handleFetch(request: Request, env: WorkerEnv): Promise<Response> {
  const { pathname } = new URL(request.url);
  try {
    if (pathname === '/ingress' && request.method === 'POST') return await handleIngress(request, env);
    if (pathname === '/health' && request.method === 'GET') return Response.json({ status: 'ok' });
    return Response.json({ error: 'not found' }, { status: 404 });
  } catch (err) {
    // A misconfigured Worker or an unavailable queue: the relay keeps the row and retries.
    console.error(
      JSON.stringify({ level: 'error', msg: 'ingress failed', err: String(err), config: err instanceof ConfigError }),
    );
    return Response.json({ error: 'ingress unavailable' }, { status: 503 });
  }
}

export default {
  fetch: handleFetch,
  queue: handleQueueBatch,
} satisfies ExportedHandler<WorkerEnv, JobMessage>;
