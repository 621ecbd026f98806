import { describe, expect, it } from 'vitest';
import { pollUntilStopped } from '../../src/lib/poll.js';

const quiet = () => undefined;

describe('the relay loop (pollUntilStopped)', () => {
  it('runs again at once while there is more work, and waits idleMs when there is none', async () => {
    const at: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const polling = pollUntilStopped(
      async () => {
        at.push(Date.now());
        if (at.length === 4) done();
        return at.length < 3; // two ticks with more work, then an empty outbox
      },
      { idleMs: 150, retryMs: () => 10_000, onError: quiet },
    );
    await finished;
    await polling.stop();
    expect(at[2]! - at[0]!).toBeLessThan(100);
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(140);
  });

  it('backs off after failed ticks by retryMs(consecutive failures), counting again from 1 after a success', async () => {
    const failuresSeen: number[] = [];
    const retries: number[] = [];
    let tick = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const polling = pollUntilStopped(
      async () => {
        tick += 1;
        if (tick === 6) done();
        if (tick === 3 || tick >= 6) return false;
        throw new Error(`tick ${tick} failed`);
      },
      {
        idleMs: 1,
        retryMs: (failures) => (retries.push(failures), 1),
        onError: (err, failures) => failuresSeen.push(failures),
      },
    );
    await finished;
    await polling.stop();
    expect(failuresSeen).toEqual([1, 2, 1, 2]);
    expect(retries).toEqual([1, 2, 1, 2]);
  });

  it('stop() while a tick is in flight resolves when it ends, without starting the idle wait or the backoff', async () => {
    for (const failing of [true, false]) {
      let started!: () => void;
      const ticked = new Promise<void>((resolve) => (started = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const polling = pollUntilStopped(
        async () => {
          started();
          await gate;
          if (failing) throw new Error('database unreachable');
          return false;
        },
        { idleMs: 60_000, retryMs: () => 60_000, onError: quiet },
      );
      await ticked;
      const stopped = polling.stop();
      const t0 = Date.now();
      release();
      await stopped;
      expect(Date.now() - t0).toBeLessThan(1_000);
    }
  });
});
