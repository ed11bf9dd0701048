// Tokens as the running users service sees them, from the project's development issuer: every kind of bad
// token is 401 with a reason, and a key rotation at the issuer is followed without a restart.
import { AUDIENCES, newSigningKey, signIn, startDevIssuer, type DevIssuer } from '@shiftstack/dev-issuer';
import { createTokenVerifier } from '@shiftstack/service-kit';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, TEST_ADMIN } from '../../../test/support/auth';
import { freePort } from '../../../scripts/lib/ports';
import { buildTestUsersApp } from './harness';

const secrets = { shifts: 'shifts-secret-for-tests-0001', users: 'users-secret-for-tests-0001' };
let port: number;
let issuer: DevIssuer;
let t: Awaited<ReturnType<typeof buildTestUsersApp>>;

const start = (signingKey?: JWK) =>
  startDevIssuer({ port, boardUrls: ['http://127.0.0.1:8080'], serviceSecrets: secrets, signingKey });

beforeAll(async () => {
  port = await freePort();
  issuer = await start();
  const env = { AUTH_ISSUER: issuer.url };
  t = await buildTestUsersApp('pglite', env, {
    // No 30 s pause between key-set fetches, so the rotation below is seen at once.
    verifier: createTokenVerifier({
      issuer: issuer.url,
      audience: [AUDIENCES.api, AUDIENCES.users],
      refetchCooldownMs: 0,
    }),
  });
});
afterAll(async () => {
  await t?.close();
  await issuer?.close();
});

const me = (token: string) =>
  t.app.inject({ url: '/api/v1/users/me', headers: { ...ANONYMOUS, authorization: `Bearer ${token}` } });

/** A token signed with the issuer's own key, with these claims over a valid admin token's. */
async function forged(claims: JWTPayload, header: Record<string, unknown> = {}, key = issuer.signingKey) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: TEST_ADMIN, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, ...header })
    .setSubject(TEST_ADMIN)
    .setIssuer(claims.iss ?? issuer.url)
    .setAudience((claims.aud as string | undefined) ?? AUDIENCES.api)
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 300)
    .sign(await importJWK(key, 'ES256'));
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('tokens at the users service', () => {
  it('accepts a token from the sign-in flow, and one signed with the issuer key for this audience', async () => {
    expect((await me((await signIn(issuer.url, TEST_ADMIN)).accessToken)).statusCode).toBe(200);
    expect((await me(await forged({}))).statusCode).toBe(200);
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 300 }, /expired/],
    ['not yet valid', { nbf: Math.floor(Date.now() / 1000) + 600 }, /not valid yet/],
    ['from another issuer', { iss: 'https://evil.example/auth' }, /another issuer/],
    ['for another audience', { aud: 'urn:shiftstack:elsewhere' }, /another audience/],
  ])('answers 401 to a token %s, saying why', async (_what, claims, reason) => {
    const res = await me(await forged(claims));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'unauthenticated' });
    expect(res.headers['www-authenticate']).toMatch(reason);
  });

  it('answers 401 to an unsigned token and to one HMAC-signed with the public key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      sub: TEST_ADMIN,
      email: TEST_ADMIN,
      iss: issuer.url,
      aud: AUDIENCES.api,
      exp: now + 300,
    };
    expect((await me(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`)).statusCode).toBe(401);
    const { d: _private, ...publicJwk } = issuer.signingKey;
    const hmac = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', kid: issuer.signingKey.kid })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    const res = await me(hmac);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/algorithm/);
  });

  it('answers 401 to a token signed with a key the issuer does not publish', async () => {
    const res = await me(await forged({}, {}, await newSigningKey()));
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/does not publish/);
  });

  it('follows a key rotation at the issuer while running: new tokens pass, old ones no longer', async () => {
    const old = (await signIn(issuer.url, TEST_ADMIN)).accessToken;
    expect((await me(old)).statusCode).toBe(200);
    await issuer.close();
    issuer = await start(await newSigningKey()); // same URL, a new key, the old one withdrawn
    const fresh = (await signIn(issuer.url, TEST_ADMIN)).accessToken;
    expect((await me(fresh)).statusCode).toBe(200);
    const res = await me(old);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/does not publish/);
  });
});
