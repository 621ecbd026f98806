/**
 * The functions half for the tests: the Worker under `wrangler dev` (functions/scripts/dev.mjs:
 * workerd with its queues simulated, the Hyperdrive binding pointed at the run's database), and the
 * relay, either in-process or as its own process (to be killed mid-batch).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type pg from 'pg';
import { pino } from 'pino';
import { createRelayMetrics, type RelayMetrics } from '../../src/offload/metrics.js';
import { startRelay, type RelaySettings, type RunningRelay } from '../../src/offload/relay.js';
import { freePort } from './free-port.js';

/** Sends SIGTERM (SIGKILL after 10 s) and waits for the exit. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface RunningFunctions {
  /** The ingress the relay delivers to. */
  ingressUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the Worker against `databaseUrl` and waits until a POST reaches the ingress (an unsigned one is
 * refused with 401): wrangler answers requests during its start-up reload with 503.
 */
export async function startFunctions(databaseUrl: string): Promise<RunningFunctions> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['functions/scripts/dev.mjs'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      // Failed jobs are retried at once here, so the dead-letter test does not wait for real backoff.
      JOB_BACKOFF_BASE_MS: '0',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
      const status = await fetch(`${base}/ingress`, {
        method: 'POST',
        body: '{}',
        signal: AbortSignal.timeout(2000),
      }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 401) break;
      if (Date.now() > deadline) throw new Error(`the functions did not become ready within 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    await stopProcess(child);
    throw err;
  }
  return { ingressUrl: `${base}/ingress`, stop: () => stopProcess(child) };
}

export function relaySettings(ingressUrl: string, overrides: Partial<RelaySettings> = {}): RelaySettings {
  return {
    ingressUrl,
    signingSecret: process.env.OFFLOAD_SIGNING_SECRET!,
    batchSize: 50,
    intervalMs: 50,
    backoffBaseMs: 100,
    maxAttempts: 10,
    ...overrides,
  };
}

/** The relay in this process (its metrics are readable by the test). */
export function startTestRelay(
  db: pg.Pool,
  ingressUrl: string,
  overrides: Partial<RelaySettings> = {},
): RunningRelay & { metrics: RelayMetrics } {
  const metrics = createRelayMetrics();
  const relay = startRelay(db, relaySettings(ingressUrl, overrides), pino({ level: 'silent' }), metrics);
  return { ...relay, metrics };
}

/** The relay as its own process (src/relay.ts), so a test can kill it like an orchestrator would. */
export function spawnRelay(databaseUrl: string, ingressUrl: string, env: Record<string, string> = {}): ChildProcess {
  // One process (tsx as a loader, not the tsx CLI, which runs the script in a child): a kill reaches the relay itself.
  return spawn(process.execPath, ['--import', 'tsx', 'src/relay.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      OFFLOAD_INGRESS_URL: ingressUrl,
      RELAY_METRICS_PORT: '0',
      RELAY_INTERVAL_MS: '50',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: 'ignore',
  });
}
