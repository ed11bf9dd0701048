// Node enforces requestTimeout from a timer that server.close() clears, so once a shutdown begins a client
// that trickles its body is never cut off, and holds the shutdown until the forced close (exit 1). This
// keeps enforcing the same limit while the server closes, for the requests whose body is still arriving.
import type { IncomingMessage, Server } from 'node:http';
import { clientErrorHandler } from './framework-errors';

const CHECK_EVERY_MS = 250;

export function keepRequestTimeoutWhileClosing(
  server: Server,
  requestMs: number,
): { start(): void; stop(): void } {
  // Only requests with a body still on its way are tracked: a bodiless request is complete on arrival.
  const receiving = new Map<IncomingMessage, number>();
  server.on('request', (req: IncomingMessage) => {
    if (req.complete) return;
    receiving.set(req, Date.now());
    const done = () => receiving.delete(req);
    req.once('end', done);
    req.once('close', done);
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      timer ??= setInterval(() => {
        const now = Date.now();
        for (const [req, since] of receiving) {
          if (now - since < requestMs) continue;
          receiving.delete(req);
          const timeout = Object.assign(new Error('request timeout while closing'), {
            code: 'ERR_HTTP_REQUEST_TIMEOUT',
          });
          clientErrorHandler(timeout, req.socket);
        }
      }, CHECK_EVERY_MS);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
