// The token checks against a real (local) issuer: an HTTP server publishing an OpenID Connect discovery
// document and a key set, and tokens signed with jose, as an identity provider signs them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, TokenRejected, type TokenVerifier } from './tokens';

type Key = Awaited<ReturnType<typeof generateKeyPair>> & { kid: string };

const newKey = async (kid: string): Promise<Key> => ({ ...(await generateKeyPair('ES256')), kid });
const publicJwk = async (key: Key): Promise<JWK> => ({
  ...(await exportJWK(key.publicKey)),
  kid: key.kid,
  alg: 'ES256',
  use: 'sig',
});

let server: Server;
let issuer: string;
let published: Key[] = [];
let jwksFetches = 0;

beforeAll(async () => {
  published = [await newKey('k1')];
  server = createServer(async (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      return res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    if (req.url === '/jwks') {
      jwksFetches++;
      return res.end(JSON.stringify({ keys: await Promise.all(published.map(publicJwk)) }));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const AUDIENCE = 'shiftstack-users';
const sign = (key: Key, claims: JWTPayload = {}, header: Record<string, unknown> = {}) =>
  new SignJWT({ sub: 'person-1', ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid, ...header })
    .setIssuer(claims.iss ?? issuer)
    .setAudience((claims.aud as string | undefined) ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(claims.exp ?? '5m')
    .sign(key.privateKey);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const verifier = (): TokenVerifier =>
  createTokenVerifier({ issuer, audience: AUDIENCE, refetchCooldownMs: 0 });
const rejection = async (v: TokenVerifier, token: string) => {
  const err = await v.verify(token).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TokenRejected);
  return (err as Error).message;
};

describe('bearer tokens from an OpenID Connect issuer', () => {
  it('accepts a token signed with a published key, for this audience, in date; returns its claims', async () => {
    const claims = await verifier().verify(await sign(published[0]!, { email: 'manager@example.com' }));
    expect(claims).toMatchObject({
      sub: 'person-1',
      email: 'manager@example.com',
      iss: issuer,
      aud: AUDIENCE,
    });
  });

  it.each([
    ['expired', { exp: Math.floor(Date.now() / 1000) - 120 }, /has expired/],
    ['not valid yet', { nbf: Math.floor(Date.now() / 1000) + 600 }, /not valid yet/],
    ['from another issuer', { iss: 'https://evil.example' }, /another issuer/],
    ['for another audience', { aud: 'shiftstack-shifts' }, /another audience/],
  ])('refuses a token %s', async (_what, claims, reason) => {
    expect(await rejection(verifier(), await sign(published[0]!, claims))).toMatch(reason);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'person-1', iss: issuer, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300 })}.`;
    expect(await rejection(verifier(), unsigned)).toMatch(/algorithm|malformed/);
  });

  it('refuses an HMAC token forged with the public key as its secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(await publicJwk(published[0]!)));
    const forged = await new SignJWT({ sub: 'person-1' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(secret);
    expect(await rejection(verifier(), forged)).toMatch(/algorithm is not accepted/);
  });

  it('refuses a token signed with a key the issuer does not publish, and one with no subject', async () => {
    const stranger = await newKey('k1'); // the same key id, another key
    expect(await rejection(verifier(), await sign(stranger))).toMatch(/signature does not verify/);
    expect(await rejection(verifier(), await sign(await newKey('unknown')))).toMatch(
      /key the issuer does not publish/,
    );
    const noSubject = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(published[0]!.privateKey);
    expect(await rejection(verifier(), noSubject)).toMatch(/sub claim/);
  });

  it('follows a key rotation at the issuer without a restart: a new key id fetches the key set again', async () => {
    const v = verifier();
    await v.verify(await sign(published[0]!));
    const before = jwksFetches;
    const rotated = await newKey('k2');
    published = [rotated]; // the issuer rotates: k1 retired, k2 published
    await v.verify(await sign(rotated));
    expect(jwksFetches).toBe(before + 1);
    // A token signed with the retired key no longer verifies once the key set has been refetched.
    expect(await rejection(v, await sign({ ...rotated, kid: 'k1' }))).toMatch(
      /key the issuer does not publish/,
    );
  });

  it('remembers a verified token until it expires, and checks any other text of it in full', async () => {
    const v = verifier();
    const token = await sign(published[0]!, { exp: Math.floor(Date.now() / 1000) + 2 });
    await v.verify(token);
    // A copy with another signature is not the remembered token.
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not a signature').toString('base64url')}`;
    expect(await rejection(v, forged)).toMatch(/signature does not verify/);
    expect(await v.verify(token)).toMatchObject({ sub: 'person-1' });
    // Once it has expired (past the clock tolerance too), it is refused like any expired token: the clock
    // moves on instead of the test waiting for it.
    let clock = Date.now();
    const strict = createTokenVerifier({
      issuer,
      audience: AUDIENCE,
      clockToleranceSeconds: 0,
      now: () => clock,
    });
    const shortLived = await sign(published[0]!, { exp: Math.floor(clock / 1000) + 1 });
    await strict.verify(shortLived);
    expect(await strict.verify(shortLived)).toMatchObject({ sub: 'person-1' });
    clock += 2100;
    expect(await rejection(strict, shortLived)).toMatch(/has expired/);
  });
});
