/**
 * What a handler gets: the request, the bindings, the validated configuration, the request id, the
 * caller (after authentication), a logger bound to the request, and the database client — opened
 * through Hyperdrive on first use and closed after the response (ctx.waitUntil).
 */
import type pg from 'pg';
import type { AuthPrincipal } from '../auth/auth.js';
import { connect } from '../db/pool.js';
import type { Config, WorkerEnv } from '../env.js';
import type { Logger } from '../observability/log.js';

export interface RequestContext {
  request: Request;
  url: URL;
  env: WorkerEnv;
  config: Config;
  execution: ExecutionContext;
  /** Correlation id: the caller's X-Request-Id when well-formed, else a new UUID; echoed in the response. */
  id: string;
  auth: AuthPrincipal | null;
  log: Logger;
  db(): Promise<pg.Client>;
  /** Closes what the request opened (the database client), after the response is sent. */
  close(): Promise<void>;
}

/** A lazily opened client per request or queue batch; Hyperdrive pools the real connections. */
export function lazyDatabase(env: WorkerEnv, config: Config): { db(): Promise<pg.Client>; close(): Promise<void> } {
  let client: Promise<pg.Client> | undefined;
  return {
    db: () =>
      (client ??= connect({
        connectionString: env.HYPERDRIVE.connectionString,
        statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      })),
    close: async () => {
      if (!client) return;
      const opened = client;
      client = undefined;
      await opened.then((c) => c.end()).catch(() => undefined);
    },
  };
}
