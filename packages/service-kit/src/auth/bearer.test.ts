// The bearer hook in a real server: /api answers 401 with a WWW-Authenticate challenge without a valid
// token, before the body is read and whatever the URL's spelling, and hands the token's claims to the
// route with one; probes and the API description stay open.
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { createServer, type ServiceInstance } from '../http/server';
import { Readiness } from '../http/readiness';
import { createMetrics } from '../metrics';
import { silentLogger } from '../testing';
import { bearerAuthentication } from './bearer';
import { TokenRejected, type TokenVerifier } from './tokens';

let app: ServiceInstance;
let readiness: Readiness;
let key: Awaited<ReturnType<typeof generateKeyPair>>;

/** A verifier with one known key (tokens.test.ts covers the issuer, JWKS and every claim check). */
const verifier: TokenVerifier = {
  async verify(token) {
    const { jwtVerify } = await import('jose');
    try {
      return (await jwtVerify(token, key.publicKey, { audience: 'svc', issuer: 'https://issuer.test' }))
        .payload;
    } catch {
      throw new TokenRejected('the token has expired');
    }
  },
};

beforeAll(async () => {
  key = await generateKeyPair('ES256');
  const { base: config } = loadConfig('auth', {
    AUTH_ISSUER: 'https://issuer.test',
    AUTH_AUDIENCE: 'urn:shiftstack:api',
    RATE_LIMIT_PER_MINUTE: '0',
  });
  readiness = new Readiness();
  readiness.migrated = true;
  app = await createServer({
    config,
    metrics: createMetrics('auth', { defaultMetrics: false }),
    readiness,
    openapi: { title: 'auth', version: '1', description: 'test' },
    logger: silentLogger,
    authenticate: bearerAuthentication(verifier),
  });
  app.get(
    '/api/v1/me',
    { schema: { summary: 'who am I', 'x-permission': 'anyone signed in' } },
    async (request) => ({ sub: request.principal?.sub }),
  );
  app.post(
    '/api/v1/things',
    {
      schema: {
        summary: 'make a thing',
        'x-permission': 'anyone signed in',
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      },
    },
    async () => ({ made: true }),
  );
  await app.ready();
});
afterAll(() => app.close());

const token = () =>
  new SignJWT({ sub: 'person-7' })
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer('https://issuer.test')
    .setAudience('svc')
    .setExpirationTime('5m')
    .sign(key.privateKey);

describe('bearer authentication on /api', () => {
  it('answers 401 unauthenticated with a challenge when no token is sent', async () => {
    const res = await app.inject({ url: '/api/v1/me' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="shiftstack"');
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it.each([
    ['garbage', 'Bearer garbage', 'invalid_token'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'invalid_request'],
  ])('answers 401 and says why for %s', async (_what, authorization, error) => {
    const res = await app.inject({ url: '/api/v1/me', headers: { authorization } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain(`error="${error}"`);
    expect(res.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it("passes a valid token's claims to the route", async () => {
    const res = await app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${await token()}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ sub: 'person-7' });
  });

  it('answers 401 before reading the body: a broken or invalid one without a token is not a 400', async () => {
    for (const payload of ['{"broken', '{"unknown": 1}', ''])
      for (const url of ['/api/v1/things', '/%61pi/v1/things']) {
        const res = await app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': 'application/json' },
        });
        expect(res.statusCode, `${url} ${payload}`).toBe(401);
      }
  });

  it('decides on the route that matched, not on the URL text', async () => {
    // %61 is "a": the router matches /api/v1/me, so the route's authentication applies.
    expect((await app.inject({ url: '/%61pi/v1/me' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/%61pi/v1/nothing' })).statusCode).toBe(404);
  });

  it('answers 503 not-ready while migrations run, before asking who is calling', async () => {
    readiness.migrating = true;
    try {
      const res = await app.inject({ url: '/api/v1/me' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'not-ready' });
      expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      readiness.migrating = false;
    }
  });

  it('leaves health, readiness and the API description open', async () => {
    for (const url of ['/healthz', '/readyz', '/openapi.json'])
      expect((await app.inject({ url })).statusCode, url).toBe(200);
  });
});
