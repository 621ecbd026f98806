#!/usr/bin/env node
// Usage: node test/support/with-servers.js <command...>
//
// Runs <command> with DATABASE_URL and REDIS_URL (and NATS_URL when nats-server is installed) set. If both are already set
// they are used as-is; otherwise throwaway PostgreSQL and Redis servers are
// started (from dist/, so run `npm run build` first) and stopped afterwards.
// If servers cannot be started we exit 1 instead of running the command:
// tests that need servers must fail loudly, never skip.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node test/support/with-servers.js <command...>');
  process.exit(2);
}

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let servers = { stop: async () => {} };
if (!(process.env.DATABASE_URL && process.env.REDIS_URL)) {
  const { startThrowawayServers, ServersUnavailableError } = await import('../../dist/servers/throwaway.js');
  try {
    servers = await startThrowawayServers();
  } catch (err) {
    console.error(err instanceof ServersUnavailableError ? err.message : err);
    process.exit(1);
  }
  process.env.DATABASE_URL = servers.databaseUrl;
  process.env.REDIS_URL = servers.redisUrl;
  console.error(`with-servers: throwaway PostgreSQL at ${servers.databaseUrl}, Redis at ${servers.redisUrl}`);
}

// NATS with JetStream (the microservices blueprint's broker): NATS_URL as given, else a throwaway
// nats-server when the binary is installed. Without either NATS_URL stays unset and the suites that need
// it fail saying so.
let nats = { stop: async () => {} };
if (!process.env.NATS_URL) {
  const { findNatsServer, startNats } = await import('../../dist/servers/throwaway.js');
  if (findNatsServer()) {
    try {
      nats = await startNats();
    } catch (err) {
      await servers.stop();
      console.error(err.message ?? err);
      process.exit(1);
    }
    process.env.NATS_URL = nats.url;
    console.error(`with-servers: throwaway NATS (JetStream) at ${nats.url}`);
  }
}

// Let `vitest` etc. resolve when run outside an npm script.
const env = { ...process.env, PATH: `${join(repoRoot, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}` };
const child = spawn(command, args, { stdio: 'inherit', env });

// Forward signals and keep waiting for the child, so the servers are stopped
// only after it is done (a signal would otherwise kill us without cleanup).
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => child.kill(sig));
}

const exitCode = await new Promise((resolve) => {
  child.once('error', (err) => {
    console.error(`with-servers: cannot run ${command}: ${err.message}`);
    resolve(127);
  });
  child.once('exit', (code, signal) => resolve(code ?? 128 + (constants.signals[signal] ?? 0)));
});

await Promise.all([servers.stop(), nats.stop()]);
process.exit(exitCode);
