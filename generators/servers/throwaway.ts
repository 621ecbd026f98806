// Throwaway PostgreSQL and Redis servers for tests, CI and `verify`.
//
// Each server gets a free loopback port and (for PostgreSQL) a fresh temp data
// dir; nothing touches system clusters. A process 'exit' hook kills whatever is
// still running, so servers never outlive the Node process that started them.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, appendFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export const INSTALL_HINT =
  'Install them with `apt-get install -y postgresql redis-server` (Debian/Ubuntu; no running service is needed), ' +
  'or set DATABASE_URL and REDIS_URL to existing servers instead.';

/** Thrown when the servers cannot be provided; `hint` says how to fix it. */
export class ServersUnavailableError extends Error {
  readonly hint: string;
  constructor(problem: string, options?: { cause?: unknown }) {
    super(`${problem}\n${INSTALL_HINT}`, options);
    this.name = 'ServersUnavailableError';
    this.hint = INSTALL_HINT;
  }
}

export interface ServerBinaries {
  initdb?: string;
  pgCtl?: string;
  postgres?: string;
  psql?: string;
  redisServer?: string;
  /** Human-readable names of what could not be found. */
  missing: string[];
}

export interface RunningPostgres {
  url: string;
  port: number;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts Redis again on the same port (after stop(), or restarts it if running). */
  restart(): Promise<void>;
}

export interface ThrowawayServers {
  databaseUrl: string;
  redisUrl: string;
  postgres: RunningPostgres;
  redis: RunningRedis;
  stop(): Promise<void>;
}

/** Servers from DATABASE_URL/REDIS_URL (postgres/redis undefined, stop() no-op) or throwaway ones. */
export interface Servers {
  databaseUrl: string;
  redisUrl: string;
  postgres?: RunningPostgres;
  redis?: RunningRedis;
  source: 'env' | 'throwaway';
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Cleanup on exit

const exitHooks = new Set<() => void>();
let exitHandlerInstalled = false;

/** Registers a synchronous cleanup to run on process exit; returns an unregister function. */
function onExit(hook: () => void): () => void {
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.on('exit', () => {
      for (const h of exitHooks) {
        try {
          h();
        } catch {
          // best effort: we are exiting anyway
        }
      }
    });
  }
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

// ---------------------------------------------------------------------------
// Helpers

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Debian keeps server binaries in /usr/lib/postgresql/<version>/bin; highest version first. */
function debianPgBinDirs(): string[] {
  let versions: string[];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    return [];
  }
  return versions
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => `/usr/lib/postgresql/${v}/bin`);
}

export function findServerBinaries(): ServerBinaries {
  // initdb, pg_ctl, postgres and psql must come from the same installation, so
  // pick the directory initdb really lives in (PATH entries are often symlinks)
  // and take the others from there, falling back to PATH.
  const initdbCandidates = [onPath('initdb'), ...debianPgBinDirs().map((d) => join(d, 'initdb'))];
  const initdb = initdbCandidates.find((f): f is string => !!f && isExecutable(f));
  const binDir = initdb ? dirname(realpathSync(initdb)) : undefined;
  const fromBinDir = (name: string): string | undefined =>
    binDir && isExecutable(join(binDir, name)) ? join(binDir, name) : onPath(name);

  const found: ServerBinaries = {
    initdb: binDir ? join(binDir, 'initdb') : undefined,
    pgCtl: fromBinDir('pg_ctl'),
    postgres: fromBinDir('postgres'),
    psql: fromBinDir('psql'),
    redisServer: onPath('redis-server') ?? (isExecutable('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined),
    missing: [],
  };
  const labels: [keyof Omit<ServerBinaries, 'missing'>, string][] = [
    ['initdb', 'initdb (PostgreSQL server)'],
    ['pgCtl', 'pg_ctl (PostgreSQL server)'],
    ['postgres', 'postgres (PostgreSQL server)'],
    ['psql', 'psql (PostgreSQL client)'],
    ['redisServer', 'redis-server'],
  ];
  for (const [key, label] of labels) if (!found[key]) found.missing.push(label);
  return found;
}

/** A free loopback port: bind 127.0.0.1:0, read the port, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves true if something accepts TCP connections on 127.0.0.1:port. */
function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/** Sends PING over a raw socket; resolves true on `+PONG`. */
export function redisPing(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      reply += d.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    sock.once('error', () => done(false));
    sock.once('close', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last 4000 characters a server printed, and why it exited (for the error when it never became ready). */
function watch(proc: ChildProcess): { output(): string; failure(): string | undefined } {
  let output = '';
  let exited: string | undefined;
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  proc.once('error', (e) => (exited = e.message));
  proc.once('exit', (code, signal) => (exited ??= `exited with ${signal ?? code}`));
  return { output: () => output, failure: () => (exited ? `${exited}\n${output.trim()}` : undefined) };
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited (at once if it already has). */
async function terminate(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.ref(); // keep the loop alive until it has really exited
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, failed?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = failed?.();
    if (why) throw new Error(`${what}: ${why}`);
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000}s`);
}

interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
}

/** execFile with stderr/stdout folded into the error message. */
function run(file: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const output = `${stderr}${stdout}`.trim();
        reject(new Error(`${[file, ...args].join(' ')} failed: ${err.message.split('\n')[0]}${output ? `\n${output}` : ''}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------
// PostgreSQL

const isRoot = () => process.getuid?.() === 0;

/** uid/gid of the `postgres` OS user, from /etc/passwd. */
function postgresUser(): { uid: number; gid: number } | undefined {
  let passwd: string;
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres' && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * initdb, pg_ctl and postgres refuse to run as root, so as root we run them as
 * the `postgres` OS user (created by Debian's postgresql package).
 */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [bin, args];
  if (isExecutable('/usr/sbin/runuser') || onPath('runuser')) return ['runuser', ['-u', 'postgres', '--', bin, ...args]];
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return ['su', ['postgres', '-s', '/bin/sh', '-c', [bin, ...args].map(quote).join(' ')]];
}

export async function startPostgres(opts: { baseDir?: string } = {}): Promise<RunningPostgres> {
  const bins = findServerBinaries();
  const { initdb, pgCtl, psql } = bins;
  if (!initdb || !pgCtl || !psql || !bins.postgres) {
    throw new ServersUnavailableError(`Cannot start a throwaway PostgreSQL: missing ${bins.missing.filter((m) => !m.startsWith('redis')).join(', ')}.`);
  }
  const owner = isRoot() ? postgresUser() : undefined;
  if (isRoot() && !owner) {
    throw new ServersUnavailableError(
      'Cannot start a throwaway PostgreSQL as root: PostgreSQL refuses to run as root and there is no `postgres` OS user to run it as ' +
        '(the postgresql package creates it; or run as a non-root user).',
    );
  }

  const baseDir = opts.baseDir ?? tmpdir();
  mkdirSync(baseDir, { recursive: true });
  // Layout: <root>/data (cluster), <root> (unix socket), <root>/postgres.log.
  // Keep <root> short: unix socket paths are limited to ~107 bytes.
  const root = mkdtempSync(join(baseDir, 'cba-pg-'));
  const dataDir = join(root, 'data');
  const logFile = join(root, 'postgres.log');
  if (owner) chownSync(root, owner.uid, owner.gid);
  // cwd=root: as the postgres user our own cwd (e.g. /root) may be unreadable.
  const pg = (bin: string, args: string[], timeoutMs?: number) => run(...pgCommand(bin, args), { cwd: root, timeoutMs });

  let removeExitHook = () => {};
  const postmasterPid = (): number | undefined => {
    // First line of postmaster.pid is the postmaster's PID (pg_ctl daemonizes it, so it is not our child).
    let pid = NaN;
    try {
      pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      // not started (or already stopped)
    }
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  };
  const killNow = () => {
    const pid = postmasterPid();
    if (pid) {
      try {
        process.kill(pid, 'SIGQUIT'); // SIGQUIT = immediate shutdown
      } catch {
        // already gone
      }
    }
    try {
      rmSync(root, { recursive: true, force: true, maxRetries: 5 });
    } catch {
      // a dying postmaster may still be writing; the OS temp dir cleaner gets the rest
    }
  };

  try {
    await pg(initdb, ['-D', dataDir, '--auth=trust', '-U', 'postgres', '--encoding=UTF8', '--no-sync']);
    // Settings go in postgresql.conf rather than `pg_ctl -o`, which would need shell quoting.
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# throwaway server (create-backend-arch)',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${root.replace(/'/g, "''")}'`,
        'max_connections = 200',
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    removeExitHook = onExit(killNow);

    // Another process can grab the free port before postgres binds it; retry with a new one.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        // -w waits until the server accepts connections; -l keeps the postmaster off our stdio pipes.
        await pg(pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', `-p ${port}`], 90_000);
        break;
      } catch (err) {
        if (attempt >= 3) throw new Error(`${(err as Error).message}\n--- ${logFile} ---\n${tail(logFile)}`);
      }
    }
    await waitFor('PostgreSQL TCP listener', () => canConnect(port), 10_000);

    const url = (db: string) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(db)}`;
    let stopped = false;
    return {
      url: url('postgres'),
      port,
      async createDatabase(name: string) {
        const ident = `"${name.replace(/"/g, '""')}"`;
        await run(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', `CREATE DATABASE ${ident}`]);
        return url(name);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await pg(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '30'], 60_000);
        } catch {
          // fall through: killNow() signals the postmaster directly
        }
        killNow();
        removeExitHook();
      },
    };
  } catch (err) {
    killNow();
    removeExitHook();
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Redis

export async function startRedis(): Promise<RunningRedis> {
  const redisServer = findServerBinaries().redisServer;
  if (!redisServer) throw new ServersUnavailableError('Cannot start a throwaway Redis: redis-server not found on PATH or at /usr/bin/redis-server.');

  let child: ChildProcess | undefined;
  let removeExitHook = () => {};

  const launch = async (port: number): Promise<void> => {
    const proc = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const watched = watch(proc);
    child = proc;
    removeExitHook = onExit(() => proc.kill('SIGKILL'));
    try {
      await waitFor(`redis-server on port ${port}`, () => redisPing(port), 30_000, watched.failure);
    } catch (err) {
      await kill();
      throw err;
    }
    // Don't let a forgotten stop() keep the event loop alive; the exit hook kills it.
    proc.unref();
    (proc.stdout as { unref?: () => void } | null)?.unref?.();
    (proc.stderr as { unref?: () => void } | null)?.unref?.();
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    removeExitHook();
    if (proc) await terminate(proc);
  };

  // Retry with a new port if another process grabbed ours in the meantime.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch(port);
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: kill,
    async restart() {
      await kill();
      await launch(port);
    },
  };
}

// ---------------------------------------------------------------------------
// Both

export async function startThrowawayServers(): Promise<ThrowawayServers> {
  const bins = findServerBinaries();
  if (bins.missing.length > 0) {
    throw new ServersUnavailableError(`Cannot start throwaway PostgreSQL/Redis: missing ${bins.missing.join(', ')}.`);
  }
  const [pg, redis] = await Promise.allSettled([startPostgres(), startRedis()]);
  if (pg.status === 'rejected' || redis.status === 'rejected') {
    if (pg.status === 'fulfilled') await pg.value.stop();
    if (redis.status === 'fulfilled') await redis.value.stop();
    const errors = [pg, redis].filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    for (const e of errors) if (e instanceof ServersUnavailableError) throw e;
    const detail = errors.map((e) => (e instanceof Error ? e.message : String(e))).join('\n');
    throw new ServersUnavailableError(`Cannot start throwaway PostgreSQL/Redis:\n${detail}`, { cause: errors[0] });
  }
  const postgres = pg.value;
  const redisServer = redis.value;
  return {
    databaseUrl: postgres.url,
    redisUrl: redisServer.url,
    postgres,
    redis: redisServer,
    async stop() {
      await Promise.allSettled([postgres.stop(), redisServer.stop()]);
    },
  };
}

export async function serversFromEnvOrThrowaway(): Promise<Servers> {
  const { DATABASE_URL, REDIS_URL } = process.env;
  if (DATABASE_URL && REDIS_URL) {
    return { databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, source: 'env', stop: async () => {} };
  }
  return { ...(await startThrowawayServers()), source: 'throwaway' };
}

// ---------------------------------------------------------------------------
// NATS with JetStream (the microservices blueprint's broker)

export const NATS_INSTALL_HINT = 'Install it with `apt-get install -y nats-server` (Debian/Ubuntu), or set NATS_URL to a NATS server started with -js.';

export interface RunningNats {
  url: string;
  port: number;
  /** The JetStream store (a fresh temp dir, removed by stop()). */
  storeDir: string;
  stop(): Promise<void>;
}

export function findNatsServer(): string | undefined {
  return onPath('nats-server') ?? ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find(isExecutable);
}

/**
 * A throwaway `nats-server -js` on a free loopback port (never 4222, which a system service may hold),
 * its JetStream store in a fresh temp dir removed on stop.
 */
export async function startNats(): Promise<RunningNats> {
  const bin = findNatsServer();
  if (!bin) throw new ServersUnavailableError(`Cannot start a throwaway NATS server: nats-server not found. ${NATS_INSTALL_HINT}`);
  const storeDir = mkdtempSync(join(tmpdir(), 'cba-nats-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const watched = watch(proc);
    const removeExitHook = onExit(() => {
      proc.kill('SIGKILL');
      rmSync(storeDir, { recursive: true, force: true });
    });
    const stop = async () => {
      removeExitHook();
      await terminate(proc);
      rmSync(storeDir, { recursive: true, force: true });
    };
    try {
      await waitFor(`nats-server on port ${port}`, async () => /Server is ready/.test(watched.output()) && (await canConnect(port)), 30_000, watched.failure);
    } catch (err) {
      await stop();
      if (attempt >= 3) throw err;
      mkdirSync(storeDir, { recursive: true });
      continue;
    }
    proc.unref();
    (proc.stdout as { unref?: () => void } | null)?.unref?.();
    (proc.stderr as { unref?: () => void } | null)?.unref?.();
    return { url: `nats://127.0.0.1:${port}`, port, storeDir, stop };
  }
}
