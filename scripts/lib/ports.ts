import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Free ports for every listener of `startSystem` (the front door on any free port). */
export async function systemPorts() {
  return {
    port: 0,
    usersPort: await freePort(),
    shiftsPort: await freePort(),
    usersAdminPort: await freePort(),
    shiftsAdminPort: await freePort(),
    issuerPort: await freePort(),
  };
}
