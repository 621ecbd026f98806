import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { describe, it, expect } from 'vitest';
import { existsSync } from 'node:fs';
import { findNatsServer, findServerBinaries, redisPing, startNats, startThrowawayServers } from '../generators/servers/throwaway.js';

const run = promisify(execFile);

/** Resolves true if 127.0.0.1:port accepts a TCP connection. */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

async function psql(url: string, sql: string): Promise<string> {
  const bin = findServerBinaries().psql;
  if (!bin) throw new Error('psql not found');
  const { stdout } = await run(bin, ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql]);
  return stdout.trim();
}

describe('throwaway servers', () => {
  it('finds the server binaries', () => {
    const bins = findServerBinaries();
    expect(bins.missing).toEqual([]);
    expect(bins.initdb).toMatch(/initdb$/);
    expect(bins.redisServer).toMatch(/redis-server$/);
  });

  it('starts PostgreSQL and Redis, restarts Redis, and stops both', { timeout: 60_000 }, async () => {
    const servers = await startThrowawayServers();
    try {
      const { postgres, redis } = servers;
      expect(servers.databaseUrl).toBe(`postgres://postgres@127.0.0.1:${postgres.port}/postgres`);
      expect(servers.redisUrl).toBe(`redis://127.0.0.1:${redis.port}`);

      expect(await psql(servers.databaseUrl, 'SELECT 1')).toBe('1');
      expect(await psql(servers.databaseUrl, 'SHOW max_connections')).toBe('200');
      const dbUrl = await postgres.createDatabase('app_test');
      expect(dbUrl).toBe(`postgres://postgres@127.0.0.1:${postgres.port}/app_test`);
      expect(await psql(dbUrl, 'SELECT current_database()')).toBe('app_test');

      expect(await redisPing(redis.port)).toBe(true);
      await redis.stop();
      expect(await redisPing(redis.port)).toBe(false);
      await redis.restart();
      expect(await redisPing(redis.port)).toBe(true);
    } finally {
      await servers.stop();
    }
    expect(await portOpen(servers.postgres.port)).toBe(false);
    expect(await portOpen(servers.redis.port)).toBe(false);
  });

  it('starts nats-server with JetStream on a free port (never 4222) and stops it, removing its store', { timeout: 60_000 }, async () => {
    expect(findNatsServer()).toMatch(/nats-server$/);
    const nats = await startNats();
    let info = '';
    try {
      expect(existsSync(nats.storeDir)).toBe(true);
      expect(nats.port).not.toBe(4222);
      expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
      // The server's INFO line on connect says JetStream is on.
      info = await new Promise<string>((resolve, reject) => {
        const sock = connect({ host: '127.0.0.1', port: nats.port });
        sock.once('data', (d) => {
          sock.destroy();
          resolve(d.toString());
        });
        sock.once('error', reject);
      });
    } finally {
      await nats.stop();
    }
    expect(info).toMatch(/^INFO \{.*"jetstream":true/);
    expect(await portOpen(nats.port)).toBe(false);
    expect(existsSync(nats.storeDir)).toBe(false);
  });
});
