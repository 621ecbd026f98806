import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { admin } from './support/admin-sql.js';
import { freePort } from './support/free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's own database (created here, dropped after the run); tests never touch DATABASE_URL's data. */
    testDatabaseUrl: string;
    /** The Worker under `wrangler dev`, on a free loopback port, against testDatabaseUrl. */
    apiUrl: string;
    /** The JWT secret the Worker was started with. */
    jwtSecret: string;
  }
}

/** Per-user limit of this run's Worker: high enough for the suite, low enough for the 429 test to reach. */
export const TEST_USER_RATE_LIMIT = 300;

/**
 * Ready: /health/ready answers 200 (PostgreSQL reachable through Hyperdrive), and a POST reaches the
 * Worker. wrangler's local proxy retries GETs across its start-up reload but answers a POST sent during
 * it with 503 ("Your worker restarted mid-request"), so readiness waits for a POST to get the router's 405.
 */
async function waitReady(url: string, worker: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (worker.exitCode !== null) throw new Error(`wrangler dev exited (${worker.exitCode}):\n${output()}`);
    try {
      const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      const post = ready.ok
        ? await fetch(`${url}/health/ready`, { method: 'POST', signal: AbortSignal.timeout(2000) })
        : undefined;
      if (post?.status === 405) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the Worker did not become ready within 60 s:\n${output()}`);
}

/**
 * Runs once before all test files: creates a database of the run's own on DATABASE_URL's server,
 * migrates it with the project's runner, starts the Worker under `wrangler dev` against it (queues,
 * rate limits and Hyperdrive simulated by workerd), and removes both when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl)
    throw new Error(
      'The test suite needs a real PostgreSQL: set DATABASE_URL (the role needs CREATEDB), e.g. DATABASE_URL=postgres://app:app@localhost:5432/app npm test. Tests fail rather than skip.',
    );
  const name = `test_${new Date().toISOString().slice(0, 10).replaceAll('-', '')}_${randomBytes(4).toString('hex')}`;
  await admin(databaseUrl, `CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const testDatabaseUrl = url.toString();
  const drop = () => admin(databaseUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  let worker: ChildProcess | undefined;
  const stop = async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker!.once('exit', r));
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    execFileSync('node_modules/.bin/tsx', ['scripts/migrate.ts'], {
      env: { ...process.env, DATABASE_URL: testDatabaseUrl },
      stdio: 'pipe',
    });
    const port = await freePort();
    const jwtSecret = randomBytes(32).toString('hex');
    let output = '';
    worker = spawn(process.execPath, ['scripts/dev.mjs'], {
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: testDatabaseUrl,
        JWT_SECRET: jwtSecret,
        CORS_ORIGINS: 'http://localhost:5173',
        // Failed jobs are retried at once here, so the dead-letter test does not wait for real backoff.
        JOB_BACKOFF_BASE_MS: '0',
        RATE_LIMIT_USER_MAX: String(TEST_USER_RATE_LIMIT),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
    worker.stdout!.on('data', keep);
    worker.stderr!.on('data', keep);
    const apiUrl = `http://127.0.0.1:${port}`;
    await waitReady(apiUrl, worker, () => output);
    project.provide('testDatabaseUrl', testDatabaseUrl);
    project.provide('apiUrl', apiUrl);
    project.provide('jwtSecret', jwtSecret);
  } catch (err) {
    await stop();
    await drop();
    throw err;
  }
  return async () => {
    await stop();
    await drop();
  };
}
