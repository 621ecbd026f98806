/**
 * What dynamic checks share: the servers (DATABASE_URL/REDIS_URL or throwaway ones), fresh databases,
 * the project built once, and its processes started on free loopback ports. Everything is created on
 * first use and removed by dispose(). When servers cannot be had, `unavailable()` says why and dynamic
 * checks are skipped — never passed.
 *
 * What is particular to a blueprint (how to build and migrate, which processes exist and how each
 * says it is ready, how to get a token, the shape of a page) comes from the blueprint's runtime
 * adapter; state (memoized work, per-run values, what checks created) lives in this instance.
 */
import { Memo } from '../../core/memo.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execa } from 'execa';
import type { Page, RuntimeAdapter } from '../../blueprints/contract.js';
import type { ProjectContext } from '../context.js';
import { freePort, serversFromEnvOrThrowaway, ServersUnavailableError, startNats, type Servers } from '../../servers/throwaway.js';
import type { Role } from '../../domain/schema.js';
import type { PostgresRelay, RedisProxy } from './proxy.js';

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
  /** Reach the app database through a relay the check can cut (readiness of a process whose one dependency is PostgreSQL). */
  databaseProxy?: PostgresRelay;
  env?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Runtime {
  private readonly memo = new Memo();
  private processes = new Set<AppProcess>();
  private cleanups: (() => Promise<void>)[] = [];
  private readonly values = new Map<string, unknown>();
  readonly runId = randomBytes(4).toString('hex');
  /** The blueprint's runtime adapter, or undefined when the blueprint has none (dynamic checks skip). */
  readonly adapter: RuntimeAdapter | undefined;

  constructor(readonly project: ProjectContext) {
    this.adapter = project.blueprint.module.runtime?.(this);
  }

  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /** Per-run state shared by checks (e.g. the rows a check created), created on first use. */
  state<T>(key: string, init: () => T): T {
    if (!this.values.has(key)) this.values.set(key, init());
    return this.values.get(key) as T;
  }

  private need(): RuntimeAdapter {
    if (!this.adapter) throw new Error(`the ${this.project.blueprint.id} blueprint has no runtime adapter`);
    return this.adapter;
  }

  /** Why dynamic checks cannot run (and what to do), or undefined when they can. */
  async unavailable(): Promise<{ reason: string; fix: string } | undefined> {
    if (!this.adapter)
      return { reason: `the ${this.project.blueprint.id} blueprint has no runtime adapter`, fix: 'its module can export runtime(rt) so verify can build, migrate and start it' };
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
      // A blueprint whose projects need a broker (engines: ["nats"]) gets it with the other servers, and
      // every process and script verify runs gets NATS_URL.
      if (this.project.blueprint.manifest.engines.includes('nats')) this.natsUrl = await this.nats();
      return s;
    });
  }

  private natsUrl: string | undefined;

  /**
   * A NATS server with JetStream for blueprints that use a broker: NATS_URL when set, else a throwaway
   * nats-server on a free loopback port, stopped on dispose. Throws ServersUnavailableError (with the
   * install hint) when neither is possible.
   */
  nats(): Promise<string> {
    return this.once('nats', async () => {
      if (process.env.NATS_URL) return process.env.NATS_URL;
      const n = await startNats();
      this.cleanups.push(() => n.stop());
      return n.url;
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

  /** The project built the blueprint's way, once. */
  built(): Promise<void> {
    return this.once('built', () => this.need().build(this));
  }

  /** A fresh database with the project's migrations applied by its own runner. */
  migrated(label: string): Promise<string> {
    return this.once(`migrated:${label}`, async () => {
      await this.built();
      const url = await this.database(label);
      await this.need().migrate(this, url);
      return url;
    });
  }

  /**
   * Fresh migrated databases for `label`, each with the entities whose tables it holds: one (every
   * entity) unless the blueprint keeps a database per service (its adapter's `databases`).
   */
  migratedDatabases(label: string): Promise<{ url: string; entities: string[] }[]> {
    return this.once(`databases:${label}`, async () => {
      const adapter = this.need();
      if (adapter.databases) return adapter.databases(this, label);
      return [{ url: await this.migrated(label), entities: this.project.plan.entities.map((e) => e.name) }];
    });
  }

  /** Where each of `processes` (the plan's metrics' process names) serves /metrics, one URL per running instance. */
  async metricsEndpoints(processes: string[]): Promise<Record<string, string[]>> {
    const adapter = this.need();
    if (adapter.metricsEndpoints) return adapter.metricsEndpoints(this, processes);
    const out: Record<string, string[]> = { api: [(await this.sharedApi()).metricsUrl] };
    if (processes.includes('worker')) out.worker = [(await this.sharedWorker()).metricsUrl];
    return out;
  }

  /** The migrated database of `label` that holds an entity's table. */
  async databaseOf(label: string, entity: string): Promise<string> {
    const all = await this.migratedDatabases(label);
    const hit = all.find((d) => d.entities.includes(entity));
    if (!hit) throw new Error(`no database of the ${this.project.blueprint.id} blueprint holds the ${entity} table`);
    return hit.url;
  }

  baseEnv(): Record<string, string> {
    return { NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...(this.natsUrl ? { NATS_URL: this.natsUrl } : {}), ...this.adapter?.env(this), FORCE_COLOR: '0' };
  }

  /** The last lines of a process's output (for evidence and errors). */
  tail(text: string, lines: number): string {
    return tail(text, lines);
  }

  /** A list response read the blueprint's way: its items and its next cursor. */
  readPage(body: unknown): Page {
    return this.need().readPage(body);
  }

  async appEnv(options: StartOptions = {}): Promise<Record<string, string>> {
    const servers = await this.servers();
    return {
      DATABASE_URL: options.databaseProxy ? options.databaseProxy.url : await this.migrated('app'),
      REDIS_URL: options.redisProxy ? options.redisProxy.url : servers.redisUrl,
      ...options.env,
    };
  }

  /** Starts one of the blueprint's processes on a free port and waits until its readiness path answers. */
  async start(name: string, options: StartOptions = {}): Promise<AppProcess> {
    const spec = this.need().processes[name];
    if (!spec) throw new Error(`the ${this.project.blueprint.id} blueprint has no process named ${name}`);
    // What the process needs running first (e.g. a gateway's services), and the variables pointing at it.
    const needed = spec.needs ? await spec.needs(this) : {};
    // A free port is free when asked, not necessarily when the process binds it: another process on
    // the machine can take it in between. A start that lost that race is retried on new ports (3 tries).
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const metricsPort = spec.metricsPortEnv ? await freePort() : undefined;
      const env = { ...(await this.appEnv(options)), ...needed, ...options.env, [spec.portEnv]: String(port), ...(spec.metricsPortEnv ? { [spec.metricsPortEnv]: String(metricsPort) } : {}) };
      try {
        return await this.startProcess(name, spec.args, env, port, spec.ready, metricsPort);
      } catch (err) {
        if (attempt >= 3 || !/EADDRINUSE/.test((err as Error).message)) throw err;
      }
    }
  }

  /** Starts the API process and waits until it is ready. */
  startApi(options: StartOptions = {}): Promise<AppProcess> {
    return this.start('api', options);
  }

  /** Starts the worker process and waits until it is ready. */
  startWorker(options: StartOptions = {}): Promise<AppProcess> {
    return this.start('worker', options);
  }

  /** The API shared by the HTTP checks (and its worker), started once. */
  sharedApi(): Promise<AppProcess> {
    return this.once('api', () => this.startApi());
  }

  /** The process that consumes the queues, started once: the worker, or the API when the adapter says jobs run there. */
  sharedWorker(): Promise<AppProcess> {
    const name = this.need().jobProcess ?? 'worker';
    return name === 'api' ? this.sharedApi() : this.once(name, () => this.start(name));
  }

  /** One row id per entity, created through the shared API as the admin (reusing the ones dynamic.api-walk created). */
  async ensureRows(): Promise<Record<string, string>> {
    const { ensureRows } = await import('../checks/dynamic/ensure.js');
    return ensureRows(this, this.project);
  }

  /** Whether the blueprint's runtime adapter declares a process of this name (e.g. a relay). */
  hasProcess(name: string): boolean {
    return Object.hasOwn(this.need().processes, name);
  }

  /** Any of the blueprint's processes, started once and shared by the checks (`api` and `worker` are the same as sharedApi/sharedWorker). */
  shared(name: string): Promise<AppProcess> {
    return name === 'api' ? this.sharedApi() : name === 'worker' ? this.sharedWorker() : this.once(name, () => this.start(name));
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

  /** One user per role in the app database, and a bearer token for each (minted the blueprint's way). */
  tokens(): Promise<Record<Role, string>> {
    return this.once('tokens', async () => {
      const api = await this.sharedApi();
      return (await this.need().tokens(this, api.url, await this.migrated('app'))) as Record<Role, string>;
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
