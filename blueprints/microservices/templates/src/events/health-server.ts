/**
 * Liveness and readiness of a process without an HTTP API (the relay, the consumer), for the
 * orchestrator's probes: /health/live answers while the process runs, /health/ready while `ready()`;
 * its Prometheus metrics on /metrics; and its graceful stop on SIGTERM.
 */
import http from 'node:http';

export function startHealthServer(
  host: string,
  port: number,
  ready: () => boolean,
  metrics?: { contentType: string; metrics(): Promise<string> },
): { close(): Promise<void> } {
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics' && metrics) {
      void metrics.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text));
      return;
    }
    const ok = req.url === '/health/live' || (req.url === '/health/ready' && ready());
    const known = req.url === '/health/live' || req.url === '/health/ready';
    res
      .writeHead(ok ? 200 : known ? 503 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
  });
  server.listen(port, host);
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** On SIGTERM or SIGINT: runs `steps` one after the other, then exits (1 if a step failed). */
export function stopOnSignal(steps: (() => Promise<unknown>)[]): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void steps
        .reduce<Promise<unknown>>((done, step) => done.then(step), Promise.resolve())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    });
  }
}
