// Prometheus metrics. One registry per service instance (not the global one), so tests can build several
// apps in one process. Label values are bounded: routes are templates, outcomes a fixed set.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type UpstreamOutcome =
  'ok' | 'client_error' | 'server_error' | 'timeout' | 'network_error' | 'circuit_open' | 'unauthorized';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  inFlight: Gauge;
  dbPool: Gauge<'state'>;
  dbQueryDuration: Histogram<'outcome'>;
  upstreamDuration: Histogram<'upstream' | 'outcome'>;
  upstreamCircuit: Gauge<'upstream'>;
  rateLimited: Counter;
}

export function createMetrics(serviceName: string, opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'http_requests_in_flight',
      help: 'HTTP requests being served right now',
      registers: [registry],
    }),
    dbPool: new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections: open (total), idle, requests waiting for one, and the configured maximum',
      labelNames: ['state'],
      registers: [registry],
    }),
    dbQueryDuration: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'Database query duration by outcome',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: 'upstream_request_duration_seconds',
      help: 'Calls to other services, by upstream and outcome (one observation per logical call, retries included)',
      labelNames: ['upstream', 'outcome'],
      buckets: HTTP_BUCKETS,
      registers: [registry],
    }),
    upstreamCircuit: new Gauge({
      name: 'upstream_circuit_state',
      help: 'Circuit breaker state per upstream: 0 closed, 1 open, 2 half-open',
      labelNames: ['upstream'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'http_requests_rate_limited_total',
      help: 'Requests refused with 429',
      registers: [registry],
    }),
  };
}
