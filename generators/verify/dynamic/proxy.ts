/**
 * TCP relays in front of a server that a check can cut and restore: "Redis is down" or "PostgreSQL is
 * unreachable" for the app under test without touching the server other processes (or the user's own
 * server) rely on.
 *
 * Two ways to be down:
 * - `refuse`: existing connections are cut and new ones refused (the listener closes), as when the
 *   server's process is gone. The Redis relay is cut this way.
 * - `hang`: connections are accepted and never answered, and the relayed ones stop forwarding, as in a
 *   network partition: the app's client must give up on its own timeout. Nothing is refused or reset, so
 *   a proxy between the app and this relay that leaves socket errors unhandled (wrangler dev 4.86's local
 *   Hyperdrive proxy: an ECONNREFUSED or ECONNRESET from its upstream ends wrangler) stays up, while the
 *   app sees its database unreachable.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../../servers/throwaway.js';

export type Outage = 'refuse' | 'hang';

export class TcpRelay {
  private server: Server | undefined;
  /** Connections from clients, and the relay's own to the target. */
  private clients = new Set<Socket>();
  private upstreams = new Set<Socket>();
  private down = false;
  port = 0;

  constructor(
    private readonly target: URL,
    private readonly defaultPort: number,
    private readonly outage: Outage,
  ) {}

  /** The target's URL (credentials, database, parameters) with the relay's host and port. */
  get url(): string {
    const u = new URL(this.target.toString());
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** What a client sent through the relay while it was up, per connection, in order (for a protocol reader). */
  protected onClientData(_connection: Socket, _chunk: Buffer): void {}

  /** Starts relaying (again): listens when it does not, and forwards new connections. */
  async start(): Promise<void> {
    this.down = false;
    if (this.server) return;
    if (!this.port) this.port = await freePort();
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  private accept(client: Socket): void {
    this.clients.add(client);
    client.on('error', () => undefined);
    client.on('close', () => this.clients.delete(client));
    // While down (hang), a connection is accepted and never answered; it ends when its client ends it.
    if (this.down) {
      client.on('data', () => undefined);
      client.on('end', () => client.end());
      return;
    }
    const upstream = connect({ host: this.target.hostname, port: Number(this.target.port || this.defaultPort) });
    this.upstreams.add(upstream);
    upstream.on('error', () => undefined);
    upstream.on('close', () => this.upstreams.delete(upstream));
    client.on('data', (chunk: Buffer) => {
      if (this.down) return;
      this.onClientData(client, chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.down) client.write(chunk);
    });
    client.on('end', () => {
      upstream.end();
      if (this.down) client.end();
    });
    upstream.on('end', () => {
      if (!this.down) client.end();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (!this.down) client.destroy();
    });
  }

  /** The server "goes down", the relay's way (see Outage). */
  async cut(): Promise<void> {
    if (this.outage === 'refuse') return this.close();
    // hang: relayed connections stop forwarding (their upstream is dropped, the client side stays open and
    // unanswered); new ones are accepted and never answered.
    this.down = true;
    for (const u of [...this.upstreams]) u.destroy();
  }

  private async close(): Promise<void> {
    for (const s of [...this.clients, ...this.upstreams]) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** Closes the relay and every connection. */
  async stop(): Promise<void> {
    await this.close();
  }
}

/** Redis behind a relay cut by refusing connections (the readiness check of a process that uses Redis). */
export class RedisProxy extends TcpRelay {
  constructor(target: URL) {
    super(target, 6379, 'refuse');
  }
}

/**
 * PostgreSQL behind a relay cut by hanging (see Outage), that also reads the frontend protocol the
 * clients send (startup packets, then typed messages) and counts the queries: simple-protocol `Q` and
 * extended-protocol `P` (parse) messages — how a check tells a readiness probe that queries the database
 * from one that only opens a connection, or none. The local connection carries no TLS (sslmode disable).
 */
export class PostgresRelay extends TcpRelay {
  /** Queries clients sent through the relay so far. */
  queries = 0;
  private readonly streams = new WeakMap<Socket, { buffered: Buffer; started: boolean }>();

  constructor(target: URL) {
    super(target, 5432, 'hang');
  }

  protected override onClientData(connection: Socket, chunk: Buffer): void {
    const s = this.streams.get(connection) ?? { buffered: Buffer.alloc(0), started: false };
    this.streams.set(connection, s);
    s.buffered = Buffer.concat([s.buffered, chunk]);
    for (;;) {
      if (!s.started) {
        // Untyped packets: int32 length (itself included), int32 code; SSL/GSS/cancel requests come before the startup message.
        if (s.buffered.length < 8) return;
        const length = s.buffered.readInt32BE(0);
        if (s.buffered.length < length) return;
        const code = s.buffered.readInt32BE(4);
        s.buffered = s.buffered.subarray(length);
        if (code >> 16 === 3) s.started = true; // protocol 3.x: the startup message
        continue;
      }
      // Typed messages: one type byte, int32 length (itself included, not the type byte).
      if (s.buffered.length < 5) return;
      const length = s.buffered.readInt32BE(1);
      if (s.buffered.length < 1 + length) return;
      const type = String.fromCharCode(s.buffered[0]!);
      if (type === 'Q' || type === 'P') this.queries++;
      s.buffered = s.buffered.subarray(1 + length);
    }
  }
}
