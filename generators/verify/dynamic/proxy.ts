/**
 * A TCP proxy in front of Redis that a check can cut and restore: "Redis is down" for the app under
 * test without touching the Redis other processes (or the user's own server) rely on.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../../servers/throwaway.js';

export class RedisProxy {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: URL) {}

  get url(): string {
    const u = new URL(this.target.toString());
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.server = createServer((client) => {
      const upstream = connect({ host: this.target.hostname, port: Number(this.target.port || 6379) });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Redis "goes down": existing connections are cut and new ones refused. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  async stop(): Promise<void> {
    await this.cut();
  }
}
