// shifts calling users with a bad identity of its own: a client secret the issuer no longer accepts (a
// revoked client) and a token without the users:read scope. users refuses; shifts answers 503
// upstream-unavailable, writes nothing, and never passes the caller's token on instead.
import { AUDIENCES, CLIENTS } from '@shiftstack/dev-issuer';
import { clientCredentials, type ServiceCredentials } from '@shiftstack/service-kit';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authEnv, testIssuer } from '../../../test/support/auth';
import { buildTestShiftsApp } from './harness';
import { countShifts, expectProblem, startUsersFixture, type UsersFixture } from './users-fixture';

let fx: UsersFixture;
beforeAll(async () => {
  fx = await startUsersFixture(2);
});
afterAll(() => fx?.stop());

/** A token for users' audience signed by the issuer, with this scope. */
async function tokenWithScope(scope: string): Promise<ServiceCredentials> {
  const { issuer } = await testIssuer();
  const token = await new SignJWT({ client_id: CLIENTS.shifts, scope })
    .setProtectedHeader({ alg: 'ES256', kid: issuer.signingKey.kid })
    .setSubject(CLIENTS.shifts)
    .setIssuer(issuer.url)
    .setAudience(AUDIENCES.users)
    .setExpirationTime('2m')
    .sign(await importJWK(issuer.signingKey, 'ES256'));
  return { token: async () => token, invalidate: () => undefined };
}

describe.each([
  [
    'a revoked client (the issuer refuses its secret)',
    async () =>
      clientCredentials({
        issuer: (await authEnv('shifts')).AUTH_ISSUER!,
        clientId: CLIENTS.shifts,
        clientSecret: 'a-secret-the-issuer-no-longer-knows',
        resource: AUDIENCES.users,
        scope: 'users:read',
      }),
  ],
  ['a token without the users:read scope', () => tokenWithScope('profile')],
])('shifts with %s', (_what, credentials) => {
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  beforeAll(async () => {
    t = await buildTestShiftsApp('pglite', fx.users.url, {
      credentials: await credentials(),
      timeoutMs: 1000,
    });
  });
  afterAll(() => t?.close());

  it('answers 503 upstream-unavailable and writes nothing', async () => {
    const before = await countShifts(t.database.db);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts',
      payload: { location_id: fx.locA, start: '2033-01-03T09:00:00Z', end: '2033-01-03T17:00:00Z' },
    });
    expectProblem(res, 503, 'upstream-unavailable');
    expect(await countShifts(t.database.db)).toBe(before);
  });
});
