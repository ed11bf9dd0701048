// OpenTelemetry for real: both services as processes exporting OTLP/HTTP (JSON) to a capture server on
// loopback standing in for a collector. One request to shifts that calls users must produce ONE trace
// across both services, and the services' log lines must carry that trace id.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { asTestAdmin, fetchAs } from '../support/auth';

// Every API call here is the test admin's, with a token from the test issuer.
fetchAs(asTestAdmin);

interface CapturedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

const spans: CapturedSpan[] = [];

function collect(body: string) {
  const doc = JSON.parse(body) as {
    resourceSpans?: Array<{
      resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> };
      scopeSpans?: Array<{
        spans?: Array<
          Omit<CapturedSpan, 'service' | 'attributes'> & {
            attributes?: Array<{ key: string; value: Record<string, unknown> }>;
          }
        >;
      }>;
    }>;
  };
  for (const rs of doc.resourceSpans ?? []) {
    const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const attributes = Object.fromEntries(
          (s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]),
        );
        spans.push({ ...s, service, attributes });
      }
    }
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}: ${JSON.stringify(spans.map((s) => [s.service, s.kind, s.traceId]))}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

describe('OpenTelemetry traces across shifts and users', () => {
  let collector: Server;
  let users: ServiceProcess;
  let shifts: ServiceProcess;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') collect(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    // JSON, exported quickly, so the test need not wait for the default 5 s batch.
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
    users = await startServiceProcess('users', otel);
    shifts = await startServiceProcess('shifts', { ...otel, USERS_URL: users.url });
  }, 180_000);

  afterAll(async () => {
    await Promise.all([users?.stop(), shifts?.stop()]);
    await new Promise<void>((r) => (collector ? collector.close(() => r()) : r()));
  });

  it('one shift create is one trace: shifts server span -> users server spans, and the logs name it', async () => {
    const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const location = await json<{ id: number }>(
      await post(users.url, '/api/v1/locations', { name: 'Tracing Café', timezone: 'UTC' }),
    );
    const person = await json<{ id: number }>(
      await post(users.url, '/api/v1/users', {
        first_name: 'Trace',
        last_name: 'Able',
        location_ids: [location.id],
      }),
    );
    // The services record one trace in ten of their own, but always one their caller (a Gateway, another
    // service) has decided to sample: this request arrives inside a sampled trace.
    const traceId = randomBytes(16).toString('hex');
    const created = await post(
      shifts.url,
      '/api/v1/shifts',
      {
        location_id: location.id,
        user_id: person.id,
        start: '2030-01-07T09:00:00Z',
        end: '2030-01-07T17:00:00Z',
      },
      { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    expect(created.status).toBe(201);

    const root = await waitFor('the shifts server span', () =>
      spans.find(
        (s) =>
          s.service === 'shifts' &&
          s.kind === 2 &&
          s.traceId === traceId &&
          String(s.attributes['http.method'] ?? s.attributes['http.request.method']) === 'POST',
      ),
    );
    // The users lookups (location, person) belong to the same trace, as server spans in users.
    const downstream = await waitFor('users server spans in the same trace', () => {
      const found = spans.filter((s) => s.service === 'users' && s.kind === 2 && s.traceId === root.traceId);
      return found.length >= 2 ? found : undefined;
    });
    expect(downstream.length).toBeGreaterThanOrEqual(2);
    // shifts' outgoing calls are client spans of that trace too (fetch is instrumented through undici).
    expect(spans.some((s) => s.service === 'shifts' && s.kind === 3 && s.traceId === root.traceId)).toBe(
      true,
    );

    const traceIdLogged = (proc: ServiceProcess) =>
      proc
        .output()
        .split('\n')
        .some((line) => line.includes(`"trace_id":"${root.traceId}"`));
    await waitFor('log lines with the trace id', () =>
      traceIdLogged(shifts) && traceIdLogged(users) ? true : undefined,
    );
  });
});
