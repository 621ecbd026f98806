import { createServer, type AddressInfo } from 'node:net';

/** A free loopback port: bound on port 0, read back, released (the tests start their servers there). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
