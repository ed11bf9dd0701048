// The client for calls between services, against a real node:http server on 127.0.0.1: timeouts,
// retries (idempotent methods only), 4xx surfaced, the circuit breaker, request-id propagation, metrics.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../metrics';
import { UpstreamClientError, UpstreamUnavailable, createUpstreamClient } from './upstream-client';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler = (_req, res) => res.end('{}');
const seen: Array<{ method: string; url: string; requestId?: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      requestId: req.headers['x-request-id'] as string | undefined,
    });
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen.length = 0;
});

const json =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

async function outcomes(metrics: Metrics): Promise<Record<string, number>> {
  const metric = await metrics.upstreamDuration.get();
  const out: Record<string, number> = {};
  for (const v of metric.values) {
    if (v.metricName === 'upstream_request_duration_seconds_count') out[String(v.labels.outcome)] = v.value;
  }
  return out;
}

function client(overrides: Partial<Parameters<typeof createUpstreamClient>[0]> = {}) {
  const metrics = createMetrics('test', { defaultMetrics: false });
  const c = createUpstreamClient({
    name: 'users',
    baseUrl,
    timeoutMs: 300,
    retries: 2,
    breakerThreshold: 100,
    metrics,
    ...overrides,
  });
  return { c, metrics };
}

describe('createUpstreamClient', () => {
  it('returns the parsed body and forwards x-request-id', async () => {
    handler = json(200, { hello: 'world' });
    const { c, metrics } = client();
    expect(await c.get('/api/v1/thing', { requestId: 'req-42' })).toEqual({ hello: 'world' });
    expect(seen).toEqual([{ method: 'GET', url: '/api/v1/thing', requestId: 'req-42' }]);
    expect(await outcomes(metrics)).toEqual({ ok: 1 });
  });

  it('times out each attempt, retries GET, and reports timeout', async () => {
    handler = (_req, res) => setTimeout(() => res.writeHead(200).end('{}'), 1500).unref();
    const { c, metrics } = client({ timeoutMs: 100, retries: 2 });
    const err = await c.get('/slow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailable);
    expect(err).toMatchObject({ upstream: 'users', outcome: 'timeout' });
    expect(seen).toHaveLength(3); // first attempt + 2 retries
    expect(await outcomes(metrics)).toEqual({ timeout: 1 });
  });

  it('retries GET on 503 and succeeds when the upstream recovers', async () => {
    let calls = 0;
    handler = (req, res) =>
      ++calls < 3 ? json(503, { code: 'busy' })(req, res) : json(200, { ok: true })(req, res);
    const { c, metrics } = client();
    expect(await c.get('/flaky')).toEqual({ ok: true });
    expect(seen).toHaveLength(3);
    expect(await outcomes(metrics)).toEqual({ ok: 1 });
  });

  it('retries GET on a network error (connection reset), reporting network_error', async () => {
    handler = (req) => req.socket.destroy();
    const { c, metrics } = client({ retries: 1 });
    const err = await c.get('/reset').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UpstreamUnavailable', outcome: 'network_error' });
    expect(seen).toHaveLength(2);
    expect(await outcomes(metrics)).toEqual({ network_error: 1 });
  });

  it('never retries POST, even on 503', async () => {
    handler = json(503, { code: 'busy' });
    const { c, metrics } = client({ retries: 3 });
    const err = await c.request('POST', '/create', { body: { a: 1 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'UpstreamUnavailable', outcome: 'server_error' });
    expect(seen).toHaveLength(1);
    expect(await outcomes(metrics)).toEqual({ server_error: 1 });
  });

  it('surfaces a 4xx as UpstreamClientError with its body, without retrying', async () => {
    handler = json(404, { code: 'not-found' });
    const { c, metrics } = client();
    const err = await c.get('/missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamClientError);
    expect(err).toMatchObject({ status: 404, body: { code: 'not-found' } });
    expect(seen).toHaveLength(1);
    expect(await outcomes(metrics)).toEqual({ client_error: 1 });
    // 4xx do not count as failures for the breaker.
    expect(c.circuitState()).toBe('closed');
  });

  it('opens the breaker after N consecutive failures, fails fast, then half-opens after the delay', async () => {
    handler = json(500, {});
    const { c, metrics } = client({ retries: 0, breakerThreshold: 3, breakerHalfOpenAfterMs: 400 });
    for (let i = 0; i < 3; i++)
      await expect(c.get('/down')).rejects.toMatchObject({ outcome: 'server_error' });
    expect(c.circuitState()).toBe('open');
    expect(await metrics.upstreamCircuit.get()).toMatchObject({
      values: [{ labels: { upstream: 'users' }, value: 1 }],
    });
    // Open: no request reaches the upstream.
    const before = seen.length;
    await expect(c.get('/down')).rejects.toMatchObject({
      name: 'UpstreamUnavailable',
      outcome: 'circuit_open',
    });
    expect(seen.length).toBe(before);
    expect((await outcomes(metrics)).circuit_open).toBe(1);

    // After the delay one trial call goes through; success closes the circuit.
    handler = json(200, { back: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(c.circuitState()).not.toBe('closed');
    expect(await c.get('/up')).toEqual({ back: true });
    expect(seen.length).toBe(before + 1);
    expect(c.circuitState()).toBe('closed');
    expect(await metrics.upstreamCircuit.get()).toMatchObject({ values: [{ value: 0 }] });
  });

  it('a 429 is retried but never opens the circuit: the upstream is well, only busy', async () => {
    handler = json(429, { code: 'rate-limited' });
    const { c } = client({ retries: 1, breakerThreshold: 2 });
    for (let i = 0; i < 4; i++)
      await expect(c.get('/busy')).rejects.toMatchObject({ outcome: 'server_error' });
    expect(seen.length).toBe(8); // each call tried twice
    expect(c.circuitState()).toBe('closed');
    handler = json(200, { ok: true });
    expect(await c.get('/busy')).toEqual({ ok: true });
  });

  it('a failed trial call in half-open opens the circuit again', async () => {
    handler = json(502, {});
    const { c } = client({ retries: 0, breakerThreshold: 2, breakerHalfOpenAfterMs: 300 });
    for (let i = 0; i < 2; i++) await expect(c.get('/x')).rejects.toThrow();
    expect(c.circuitState()).toBe('open');
    await new Promise((r) => setTimeout(r, 400));
    await expect(c.get('/x')).rejects.toMatchObject({ outcome: 'server_error' });
    expect(c.circuitState()).toBe('open');
    await expect(c.get('/x')).rejects.toMatchObject({ outcome: 'circuit_open' });
  });

  it('an unreachable upstream is network_error', async () => {
    const dead = createUpstreamClient({
      name: 'users',
      baseUrl: 'http://127.0.0.1:1',
      timeoutMs: 500,
      retries: 1,
    });
    await expect(dead.get('/x')).rejects.toMatchObject({
      name: 'UpstreamUnavailable',
      outcome: 'network_error',
    });
  });
});
