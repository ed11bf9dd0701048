// What every answer carries and leaves behind: its request id, a route-template latency observation, the
// in-flight gauge, one log line, and, while draining, Connection: close. Probes are not traffic.
import type { Logger } from 'pino';
import { ProblemError } from '../errors';
import type { Metrics } from '../metrics';
import type { Readiness } from './readiness';
import type { ServiceInstance } from './server';

/** Probes are not traffic: keep them out of the latency histogram that autoscaling and alerts read. */
export const UNMEASURED = new Set(['/healthz', '/readyz']);

export function observeRequests(app: ServiceInstance, metrics: Metrics, readiness: Readiness): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (!request.headers.host && request.raw.httpVersion === '1.1')
      throw new ProblemError({
        status: 400,
        code: 'malformed-request',
        detail: 'HTTP/1.1 requests must carry a Host header.',
      });
    const route = request.routeOptions.url;
    if (route && UNMEASURED.has(route)) return;
    metrics.inFlight.inc();
    reply.raw.once('close', () => metrics.inFlight.dec());
  });
  // While draining, every answer closes its connection, so keep-alive clients (kube-proxy passes their
  // connections straight to this pod) open a new one, which reaches a pod that is staying. Otherwise they
  // would reuse a pooled connection just as close() shuts it, and that request would fail.
  app.addHook('onSend', async (_request, reply) => {
    if (readiness.draining) reply.header('connection', 'close');
  });
  // Measured and logged once answered. Probes every few seconds would drown both.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (!UNMEASURED.has(route)) {
      const status = reply.statusCode;
      metrics.httpDuration.observe(
        { method: request.method, route, status_code: String(status) },
        reply.elapsedTime / 1000,
      );
      if ((request.log as Logger).isLevelEnabled('info'))
        request.log.info(
          {
            req: { method: request.method, url: request.url, remoteAddress: request.ip },
            res: { statusCode: status },
            responseTime: reply.elapsedTime,
          },
          'request completed',
        );
    }
    done();
  });
}
