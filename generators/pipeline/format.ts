/**
 * Prettier on the tree before anything is written (Nx's formatFiles), using the prettier config the
 * blueprint generated for the project.
 *
 * Prettier is most of a generation's time, so:
 *  - formatted output is cached by content (like `prettier --cache`): the key is prettier's version,
 *    the config, the parser and the source, so a hit is exactly what prettier would print. Most files
 *    of a project are the same from one generation to the next. Disabled with CREATE_BACKEND_ARCH_CACHE=off.
 *    The cache is bounded (see FORMAT_CACHE_LIMITS): a hit refreshes an entry's time, and at most once
 *    an hour a generation prunes entries unused for 30 days, then the least recently used beyond 64 MB,
 *    and the folders of other prettier versions;
 *  - misses are formatted on a second thread, started only when there is a miss: most templates print
 *    formatted code (render/formatted-templates.ts), and for the built-in example no file needs prettier,
 *    so a generation then neither starts the thread nor loads prettier. Running from sources (vitest),
 *    where no compiled worker exists, they are formatted on the main thread — same code, same output.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Options } from 'prettier';
import type { Tree } from '../core/tree.js';
import { formatBatch, type FormatJob } from './prettier-format.js';

const FORMATTED = /\.(ts|mts|cts|js|mjs|cjs|json|jsonc|md|ya?ml)$/;
const SKIPPED = new Set(['package-lock.json']);
const WORKER_URL = new URL('./format-worker.js', import.meta.url);

type Pending = { resolve: (jobs: FormatJob[]) => void; reject: (err: Error) => void };

class FormatterThread {
  // A larger young generation: prettier allocates many short-lived objects, and fewer scavenges help.
  private readonly worker = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor() {
    this.worker.on('message', (msg: { id: number; results?: FormatJob[]; error?: string }) => {
      const waiting = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (this.pending.size === 0) this.worker.unref();
      if (msg.error !== undefined) waiting?.reject(new Error(msg.error));
      else waiting?.resolve(msg.results ?? []);
    });
    this.worker.on('error', (err) => {
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    });
    // Idle, the thread never keeps the process alive (unref after the listeners: adding one refs it);
    // while a batch is being formatted it does, or the awaiting caller would be left hanging.
    this.worker.unref();
  }

  format(jobs: FormatJob[], config: Options): Promise<FormatJob[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, jobs, config });
    });
  }
}

let thread: FormatterThread | undefined;

/** Start loading prettier on the formatter thread now (no-op when running from sources or when started already). */
export function warmUpFormatter(): void {
  if (!thread && existsSync(fileURLToPath(WORKER_URL))) thread = new FormatterThread();
}

export async function formatTree(tree: Tree, files: string[] = tree.writtenPaths()): Promise<void> {
  const configText = tree.read('.prettierrc.json');
  const config: Options = configText ? (JSON.parse(configText) as Options) : {};
  const jobs: FormatJob[] = [];
  for (const file of files) {
    if (!FORMATTED.test(file) || SKIPPED.has(file.split('/').pop()!)) continue;
    const source = tree.read(file);
    if (source !== undefined) jobs.push({ file, source });
  }
  if (jobs.length === 0) return;
  const cache = formatCache(config);
  const misses: FormatJob[] = [];
  await Promise.all(
    jobs.map(async (job) => {
      const hit = await cache.get(job);
      if (hit === undefined) misses.push(job);
      else tree.write(job.file, hit);
    }),
  );
  if (misses.length === 0) return;
  warmUpFormatter();
  const formatted = thread ? await thread.format(misses, config) : await formatBatch(misses, config);
  for (const job of formatted) tree.write(job.file, job.source);
  await Promise.all(formatted.map((job, i) => cache.set(misses[i]!, job.source)));
  await cache.prune();
}

interface FormatCache {
  get(job: FormatJob): Promise<string | undefined>;
  set(job: FormatJob, formatted: string): Promise<void>;
  /** Evicts old and excess entries when the last prune is more than FORMAT_CACHE_LIMITS.pruneEveryMs old. */
  prune(): Promise<void>;
}

export const FORMAT_CACHE_LIMITS = {
  maxBytes: 64 * 1024 * 1024,
  maxAgeMs: 30 * 24 * 60 * 60 * 1000,
  pruneEveryMs: 60 * 60 * 1000,
};
const PRUNED_MARKER = '.pruned';

/**
 * Removes entries unused for maxAgeMs, then the least recently used until the folder is under 3/4 of
 * maxBytes, plus temporary files left by a crash. `dir` is one prettier version's folder; sibling
 * folders of other prettier versions are never read again and are removed whole.
 */
export async function pruneFormatCache(dir: string, limits = FORMAT_CACHE_LIMITS, now = Date.now()): Promise<{ removed: number; keptBytes: number }> {
  const parent = path.dirname(dir);
  for (const sibling of await readdir(parent).catch(() => [] as string[]))
    if (sibling.startsWith('prettier-') && sibling !== path.basename(dir)) await rm(path.join(parent, sibling), { recursive: true, force: true });
  const entries: { file: string; size: number; used: number }[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name === PRUNED_MARKER) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info?.isFile()) entries.push({ file, size: info.size, used: info.mtimeMs });
  }
  entries.sort((a, b) => b.used - a.used); // most recently used first
  let keptBytes = 0;
  let removed = 0;
  for (const entry of entries) {
    const stale = now - entry.used > limits.maxAgeMs || (entry.file.endsWith('.tmp') && now - entry.used > 60_000);
    if (stale || keptBytes + entry.size > (limits.maxBytes * 3) / 4) {
      await rm(entry.file, { force: true });
      removed++;
    } else keptBytes += entry.size;
  }
  return { removed, keptBytes };
}

/** Read when the cache is first used (not at import: a generation with nothing to format never needs it). */
let prettierVersion: string | undefined;
function prettierVersionOf(): string {
  prettierVersion ??= (JSON.parse(readFileSync(createRequire(import.meta.url).resolve('prettier/package.json'), 'utf8')) as { version: string }).version;
  return prettierVersion;
}

function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || (homedir() ? path.join(homedir(), '.cache') : tmpdir());
  return path.join(base, 'create-backend-arch', `prettier-${prettierVersionOf()}`);
}

/** Content-addressed: one file per formatted output. Any cache failure just means "format it". */
function formatCache(config: Options): FormatCache {
  if (process.env.CREATE_BACKEND_ARCH_CACHE === 'off') return { get: async () => undefined, set: async () => undefined, prune: async () => undefined };
  const dir = cacheDir();
  const configKey = JSON.stringify(config);
  const keyOf = (job: FormatJob) =>
    // The file name picks prettier's parser (package.json even has its own), so it is part of the key.
    createHash('sha256').update(`${configKey}\0${path.basename(job.file)}\0${job.source}`).digest('hex');
  return {
    async get(job) {
      try {
        const file = path.join(dir, keyOf(job));
        const text = await readFile(file, 'utf8');
        // The modification time is the entry's last use: pruning evicts the least recently used.
        const now = new Date();
        await utimes(file, now, now).catch(() => undefined);
        return text;
      } catch {
        return undefined;
      }
    },
    async set(job, formatted) {
      try {
        await mkdir(dir, { recursive: true });
        const file = path.join(dir, keyOf(job));
        // Written whole then renamed: a concurrent reader never sees half an entry.
        const temp = `${file}.${process.pid}.tmp`;
        await writeFile(temp, formatted);
        await rename(temp, file);
      } catch {
        // A read-only or full cache directory only costs speed.
      }
    },
    async prune() {
      try {
        const marker = path.join(dir, PRUNED_MARKER);
        const last = await stat(marker).then((s) => s.mtimeMs, () => 0);
        if (Date.now() - last < FORMAT_CACHE_LIMITS.pruneEveryMs) return;
        await mkdir(dir, { recursive: true });
        await writeFile(marker, '');
        await pruneFormatCache(dir);
      } catch {
        // Pruning is housekeeping: a failure only leaves the cache larger.
      }
    },
  };
}
