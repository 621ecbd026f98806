/**
 * The loop of an outbox relay: runs `tick` until stopped — again at once while it reports more work,
 * after `idleMs` when it reports none, and after `retryMs(failures)` when it throws (`onError` reports
 * it; consecutive failures count up and reset after the next tick that succeeds). What a tick does with a
 * row that fails (stop the batch to keep the order, or reschedule the row) is the relay's own. The
 * microservices relay and the hybrid's offload relay (mounted from here) run on it.
 */
export interface PollOptions {
  idleMs: number;
  retryMs(failures: number): number;
  onError(err: unknown, failures: number): void;
}

export interface Polling {
  /** Stops the loop; resolves once the tick in flight has finished (no wait is started after it). */
  stop(): Promise<void>;
}

export function pollUntilStopped(tick: () => Promise<boolean>, options: PollOptions): Polling {
  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopped) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const more = await tick();
        failures = 0;
        if (!more) await sleep(options.idleMs);
      } catch (err) {
        failures += 1;
        options.onError(err, failures);
        await sleep(options.retryMs(failures));
      }
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
