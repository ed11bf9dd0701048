// /healthz and /readyz alone: liveness answers whatever the checks say; readiness is 200 only when every
// check passes and the pod is not draining, and otherwise a 503 problem naming the check at fault.
import { afterEach, describe, expect, it } from 'vitest';
import { bareApp } from '../testing';
import { probes } from './probes';
import { Readiness } from './readiness';

let app: ReturnType<typeof bareApp>;
afterEach(() => app?.close());

function withProbes(database: () => Promise<void>) {
  const readiness = new Readiness();
  readiness.migrated = true;
  readiness.add({ name: 'database', check: database });
  app = bareApp();
  probes(app, readiness);
  return readiness;
}

describe('probes', () => {
  it('ready when migrated, the checks pass and not draining', async () => {
    withProbes(async () => {});
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ready',
      checks: { draining: 'ok', migrations: 'ok', database: 'ok' },
    });
  });

  it('a failing check: 503 not-ready naming it, with Retry-After; liveness still 200', async () => {
    withProbes(async () => {
      throw new Error('connection refused');
    });
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({
      code: 'not-ready',
      checks: { database: 'fail: connection refused' },
    });
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('draining or not yet migrated: not ready', async () => {
    const readiness = withProbes(async () => {});
    readiness.draining = true;
    expect((await app.inject('/readyz')).json().checks.draining).toBe('fail: shutting down');
    readiness.draining = false;
    readiness.migrated = false;
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.migrations).toBe('fail: not yet applied');
  });
});
