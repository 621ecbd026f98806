import type { BaseLogger } from 'pino';

interface GracefulShutdown {
  /** Stops taking work and finishes what is in flight (closes servers, queues, the pool). */
  drain: () => Promise<void>;
  /** After this long the process exits with 1 anyway: an orchestrator's kill would come next. */
  timeoutMs: number;
  /** What the drain does, for the log line. */
  draining: string;
  /** What a forced exit leaves behind, for the log line (empty: nothing to say). */
  lost?: string;
}

/**
 * Graceful shutdown of a process on SIGTERM (the orchestrator) and SIGINT (Ctrl-C): `drain`, then exit 0;
 * exit 1 when the drain fails or outlasts `timeoutMs`. A second signal during the drain is ignored.
 */
export function exitGracefully(
  log: Pick<BaseLogger, 'info' | 'error'>,
  { drain, timeoutMs, draining, lost }: GracefulShutdown,
): void {
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, `shutting down: ${draining}`);
    const force = setTimeout(() => {
      log.error(`graceful shutdown timed out; exiting${lost ? ` (${lost})` : ''}`);
      process.exit(1);
    }, timeoutMs);
    force.unref();
    try {
      await drain();
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
