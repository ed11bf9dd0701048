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
    .setSubject(claims.sub ?? TEST_ADMIN)
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

describe('who a token signs in as: the issuer and subject, bound once through a verified email', () => {
  const adminHeaders = async () => ({
    authorization: `Bearer ${(await signIn(issuer.url, TEST_ADMIN)).accessToken}`,
  });
  /** A person made by the admin, with this email. */
  async function person(email: string): Promise<{ id: number }> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await adminHeaders(),
      payload: { first_name: 'Kate', last_name: `Person ${email}`, email },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }
  const meAs = async (claims: JWTPayload) => me(await forged(claims));
  const whoAs = async (claims: JWTPayload) => {
    const res = await meAs(claims);
    return res.statusCode === 200 ? res.json<{ id: number }>().id : res.statusCode;
  };

  it('binds at the first sign-in only through an email the issuer verified', async () => {
    const kate = await person('kate.unverified@example.com');
    const claims = { sub: 'kate-subject-1', email: 'kate.unverified@example.com' };
    const refused = await meAs({ ...claims, email_verified: false });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toMatch(/email_verified/);
    expect(await whoAs(claims)).toBe(403); // no claim at all is no better
    expect(await whoAs({ ...claims, email_verified: true })).toBe(kate.id);
    // Bound: the subject alone decides now, whatever the token says of an email.
    expect(await whoAs({ sub: 'kate-subject-1', email: 'someone.else@example.com' })).toBe(kate.id);
  });

  it('never takes a subject for an email address, and compares emails by ASCII lowercasing only', async () => {
    await person('kate.kelvin@example.com');
    expect(await whoAs({ sub: 'kate.kelvin@example.com', email: undefined })).toBe(403);
    // U+212A KELVIN SIGN lowercases to "k" in Unicode, not in mail addresses.
    const kelvin = { sub: 'kelvin-1', email: '\u212Aate.kelvin@example.com', email_verified: true };
    expect(await whoAs(kelvin)).toBe(403);
    expect(await whoAs({ sub: 'kate-2', email: 'KATE.Kelvin@example.com', email_verified: true })).toBeTypeOf(
      'number',
    );
  });

  it("keeps a person's identity when their email changes, and nobody else can claim them by it", async () => {
    const kate = await person('kate.moves@example.com');
    expect(await whoAs({ sub: 'kate-3', email: 'kate.moves@example.com', email_verified: true })).toBe(
      kate.id,
    );
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${kate.id}`,
      headers: { ...(await adminHeaders()), 'if-match': '"1"' },
      payload: { email: 'kate.moved@example.com' },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await whoAs({ sub: 'kate-3' })).toBe(kate.id);
    // Someone who registers either address at the issuer, verified or not, is not Kate.
    for (const email of ['kate.moved@example.com', 'kate.moves@example.com']) {
      const res = await meAs({ sub: 'mallory', email, email_verified: true });
      expect(res.statusCode, email).toBe(403);
    }
  });

  it('lets the bootstrap admin email claim nothing once an admin exists', async () => {
    // TEST_ADMIN, the bootstrap admin here, signed in above; a second account with that email is refused.
    const res = await meAs({ sub: 'another-admin-account', email: TEST_ADMIN, email_verified: true });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/another account/);
  });
});
