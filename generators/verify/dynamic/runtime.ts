/**
 * What dynamic checks share: the servers (DATABASE_URL/REDIS_URL or throwaway ones), fresh databases,
 * the project built once, and API/worker processes started on free loopback ports. Everything is
 * created on first use and removed by dispose(). When servers cannot be had, `unavailable()` says why
 * and dynamic checks are skipped — never passed.
 */
import { Memo } from '../../core/memo.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';
import type { ProjectContext } from '../context.js';
import { freePort, serversFromEnvOrThrowaway, ServersUnavailableError, type Servers } from '../../servers/throwaway.js';
import type { Role } from '../../domain/schema.js';
import { RedisProxy } from './proxy.js';

export interface PgClient {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  end(): Promise<void>;
}

export interface AppProcess {
  name: string;
  url: string;
  port: number;
  /** Where the process serves /metrics: the API on its own METRICS_PORT (not the public port), the worker on WORKER_METRICS_PORT. */
  metricsUrl: string;
  proc: ChildProcess;
  /** Last lines the process printed (for evidence). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Route Redis through a proxy the check can cut (readiness). */
  redisProxy?: RedisProxy;
  env?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Runtime {
  private readonly memo = new Memo();
  private processes = new Set<AppProcess>();
  private cleanups: (() => Promise<void>)[] = [];
  readonly runId = randomBytes(4).toString('hex');
  readonly jwtSecret = randomBytes(32).toString('hex');

  constructor(readonly project: ProjectContext) {}

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /** Why dynamic checks cannot run (and what to do), or undefined when they can. */
  async unavailable(): Promise<{ reason: string; fix: string } | undefined> {
    if (!existsSync(path.join(this.project.dir, 'node_modules')))
      return { reason: 'the project\'s dependencies are not installed', fix: `run \`npm install\` in ${this.project.dir}, then verify again` };
    try {
      await this.servers();
      return undefined;
    } catch (err) {
      if (err instanceof ServersUnavailableError) return { reason: err.message.split('\n')[0]!, fix: err.hint };
      return { reason: `servers could not be started: ${(err as Error).message.split('\n')[0]}`, fix: 'set DATABASE_URL and REDIS_URL to running servers' };
    }
  }

  servers(): Promise<Servers> {
    return this.once('servers', async () => {
      const s = await serversFromEnvOrThrowaway();
      this.cleanups.push(() => s.stop());
      return s;
    });
  }

  /** A module from the project's own node_modules (pg, ioredis, @node-rs/argon2, autocannon). */
  require<T>(name: string): T {
    return createRequire(path.join(this.project.dir, 'package.json'))(name) as T;
  }

  async pgClient(url: string): Promise<PgClient> {
    const pg = this.require<{ Client: new (o: { connectionString: string }) => PgClient & { connect(): Promise<void> } }>('pg');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  }

  /** A new, empty database on the server; dropped on dispose. */
  database(label: string): Promise<string> {
    return this.once(`db:${label}`, async () => {
      const servers = await this.servers();
      const name = `verify_${this.runId}_${label}`;
      const admin = await this.pgClient(servers.databaseUrl);
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      this.cleanups.push(async () => {
        const c = await this.pgClient(servers.databaseUrl).catch(() => undefined);
        if (!c) return;
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
        await c.end();
      });
      const u = new URL(servers.databaseUrl);
      u.pathname = `/${name}`;
      return u.toString();
    });
  }

  /** Runs a project script/binary with the project's node_modules/.bin on PATH; never throws. */
  async exec(file: string, args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}) {
    const r = await execa(file, args, {
      cwd: this.project.dir,
      env: { ...this.baseEnv(), ...options.env },
      preferLocal: true,
      localDir: this.project.dir,
      reject: false,
      all: true,
      timeout: options.timeoutMs ?? 300_000,
    });
    return { exitCode: r.exitCode ?? -1, output: String(r.all ?? ''), timedOut: r.timedOut === true, command: [file, ...args].join(' ') };
  }

  /** The project compiled to dist/ (npm run build), once. */
  built(): Promise<void> {
    return this.once('built', async () => {
      const r = await this.exec('npm', ['run', 'build', '--silent']);
      if (r.exitCode !== 0) throw new Error(`npm run build failed:\n${tail(r.output, 15)}`);
    });
  }

  /** A fresh database with the project's migrations applied by its own runner (dist/db/migrate.js). */
  migrated(label: string): Promise<string> {
    return this.once(`migrated:${label}`, async () => {
      await this.built();
      const url = await this.database(label);
      const r = await this.exec('node', ['dist/db/migrate.js'], { env: { DATABASE_URL: url } });
      if (r.exitCode !== 0) throw new Error(`migrations failed on a fresh database:\n${tail(r.output, 15)}`);
      return url;
    });
  }

  baseEnv(): Record<string, string> {
    return {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      JWT_SECRET: this.jwtSecret,
      REDIS_KEY_PREFIX: `verify-${this.runId}`,
      CORS_ORIGINS: 'http://localhost:5173',
      // The load check makes thousands of requests as one user; the per-IP (anonymous) limit is untouched.
      RATE_LIMIT_USER_MAX: '1000000',
      FORCE_COLOR: '0',
    };
  }

  async appEnv(options: StartOptions = {}): Promise<Record<string, string>> {
    const servers = await this.servers();
    return {
      DATABASE_URL: await this.migrated('app'),
      REDIS_URL: options.redisProxy ? options.redisProxy.url : servers.redisUrl,
      ...options.env,
    };
  }

  /** Starts the API (`node dist/server.js`) and waits until /health/live answers. */
  async startApi(options: StartOptions = {}): Promise<AppProcess> {
    const port = await freePort();
    const metricsPort = await freePort();
    const env = { ...(await this.appEnv(options)), PORT: String(port), METRICS_PORT: String(metricsPort) };
    return this.startProcess('api', ['dist/server.js'], env, port, '/health/live', metricsPort);
  }

  /** Starts the worker (`node dist/worker.js`) and waits until its /metrics answers. */
  async startWorker(options: StartOptions = {}): Promise<AppProcess> {
    const port = await freePort();
    return this.startProcess('worker', ['dist/worker.js'], { ...(await this.appEnv(options)), WORKER_METRICS_PORT: String(port) }, port, '/health/live');
  }

  /** The API shared by the HTTP checks (and its worker), started once. */
  sharedApi(): Promise<AppProcess> {
    return this.once('api', () => this.startApi());
  }

  sharedWorker(): Promise<AppProcess> {
    return this.once('worker', () => this.startWorker());
  }

  private async startProcess(name: string, args: string[], env: Record<string, string>, port: number, probe: string, metricsPort = port): Promise<AppProcess> {
    await this.built();
    const proc = spawn(process.execPath, args, { cwd: this.project.dir, env: { ...process.env, ...this.baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8000));
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    const url = `http://127.0.0.1:${port}`;
    const app: AppProcess = {
      name,
      url,
      port,
      metricsUrl: `http://127.0.0.1:${metricsPort}`,
      proc,
      output: () => out,
      exited,
      stop: async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(t);
        }
        this.processes.delete(app);
      },
    };
    this.processes.add(app);
    const deadline = Date.now() + 30_000;
    let done = false;
    void exited.then(() => (done = true));
    while (Date.now() < deadline) {
      if (done) throw new Error(`${name} exited before answering ${probe}:\n${tail(out, 15)}`);
      try {
        const r = await fetch(`${url}${probe}`, { signal: AbortSignal.timeout(1000) });
        if (r.ok) return app;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    await app.stop();
    throw new Error(`${name} did not answer ${probe} within 30 s:\n${tail(out, 15)}`);
  }

  /** One user per role in the app database, and a bearer token for each (through POST /auth/token). */
  tokens(): Promise<Record<Role, string>> {
    return this.once('tokens', async () => {
      const api = await this.sharedApi();
      const db = await this.pgClient(await this.migrated('app'));
      const argon2 = this.require<{ hash(p: string): Promise<string> }>('@node-rs/argon2');
      const out: Partial<Record<Role, string>> = {};
      try {
        for (const role of this.project.plan.roles) {
          const email = `verify-${role}-${this.runId}@example.com`;
          const password = randomBytes(12).toString('hex');
          await db.query('INSERT INTO auth_users (email, password_hash, role) VALUES ($1, $2, $3)', [email, await argon2.hash(password), role]);
          const r = await fetch(`${api.url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
          const body = (await r.json()) as { access_token?: string };
          if (!r.ok || !body.access_token) throw new Error(`POST /auth/token for a ${role} answered ${r.status}: ${JSON.stringify(body).slice(0, 200)}`);
          out[role] = body.access_token;
        }
      } finally {
        await db.end();
      }
      return out as Record<Role, string>;
    });
  }

  async dispose(): Promise<void> {
    await Promise.allSettled([...this.processes].map((p) => p.stop()));
    for (const c of this.cleanups.reverse()) await c().catch(() => undefined);
  }
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
