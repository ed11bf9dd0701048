// observeRequests alone: every answer carries its request id; latency is recorded under the route's
// template (bounded labels) and never for probes; while draining, answers close their connection.
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../metrics';
import { bareApp } from '../testing';
import { observeRequests } from './observe';
import { Readiness } from './readiness';

let app: ReturnType<typeof bareApp>;
afterEach(() => app?.close());

function observed() {
  const metrics = createMetrics('svc', { defaultMetrics: false });
  const readiness = new Readiness();
  app = bareApp();
  observeRequests(app, metrics, readiness);
  app.get('/api/things/:id', async () => ({ ok: true }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  return { metrics, readiness };
}

const samples = async (metrics: ReturnType<typeof createMetrics>) =>
  (await metrics.httpDuration.get()).values.filter((v) => v.metricName?.endsWith('_count'));

describe('observeRequests', () => {
  it('labels latency with the route template, not the path', async () => {
    const { metrics } = observed();
    await app.inject('/api/things/1');
    await app.inject('/api/things/2');
    const counts = await samples(metrics);
    expect(counts).toHaveLength(1);
    expect(counts[0]).toMatchObject({
      labels: { method: 'GET', route: '/api/things/:id', status_code: '200' },
      value: 2,
    });
  });

  it('unknown paths share one label; probes are not measured', async () => {
    const { metrics } = observed();
    await app.inject('/nope/1');
    await app.inject('/nope/2');
    await app.inject('/healthz');
    const counts = await samples(metrics);
    expect(counts.map((c) => [c.labels.route, c.value])).toEqual([['unmatched', 2]]);
  });

  it('answers with the request id, and Connection: close while draining', async () => {
    const { readiness } = observed();
    const res = await app.inject('/api/things/1');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.headers.connection).not.toBe('close');
    readiness.draining = true;
    expect((await app.inject('/api/things/1')).headers.connection).toBe('close');
  });
});
