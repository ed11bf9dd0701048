// The rate limits alone: the per-address backstop answers 429 rate-limited with Retry-After and counts it,
// never limits the probes; the per-person limit keys on who is calling and exempts services.
import type { FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { BaseConfig } from '../config';
import { createMetrics } from '../metrics';
import { bareApp } from '../testing';
import { problemAnswers } from './problems';
import { addressRateLimit, principalRateLimit } from './rate-limits';

let app: ReturnType<typeof bareApp>;
afterEach(() => app?.close());

// Only this setting matters here (config.test.ts covers reading it).
const config = (perMinute: number) => ({ rateLimitPerMinute: perMinute }) as BaseConfig;

async function limited(perAddress: number, perPerson = 0) {
  const metrics = createMetrics('svc', { defaultMetrics: false });
  app = bareApp();
  problemAnswers(app);
  await addressRateLimit(app, config(perAddress), metrics);
  // Stands in for authentication: the caller named by a test header.
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const who = request.headers['x-as'];
    if (who === 'service') request.caller = { kind: 'service', client_id: 'shifts' } as never;
    else if (typeof who === 'string') request.caller = { kind: 'person', id: Number(who) } as never;
  });
  principalRateLimit(app, perPerson, metrics);
  app.get('/api/x', async () => ({}));
  app.get('/healthz', async () => ({}));
  return metrics;
}

describe('rate limits', () => {
  it('per address: the one past the limit is a counted 429 with Retry-After; probes never', async () => {
    const metrics = await limited(2);
    expect((await app.inject('/api/x')).statusCode).toBe(200);
    expect((await app.inject('/api/x')).statusCode).toBe(200);
    const res = await app.inject('/api/x');
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('rate-limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await metrics.rateLimited.get()).values[0]?.value).toBe(1);
    for (let i = 0; i < 5; i++) expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('per person: one person past the limit is refused while another and services carry on', async () => {
    await limited(0, 2);
    const as = (who: string) => app.inject({ url: '/api/x', headers: { 'x-as': who } });
    await as('1');
    await as('1');
    expect((await as('1')).statusCode).toBe(429);
    expect((await as('2')).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await as('service')).statusCode).toBe(200);
  });
});
