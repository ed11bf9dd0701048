// The users service's rules of who may do what, beyond the table walk of test/system/permissions.test.ts:
// what a manager may not do to people, what shifts' own identity may do, and the per-person rate limit.
import { AUDIENCES, CLIENTS } from '@shiftstack/dev-issuer';
import { clientCredentials } from '@shiftstack/service-kit';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authEnv, bearer, testIssuer } from '../../../test/support/auth';
import { buildTestUsersApp } from './harness';

let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
let locA: number;
let locB: number;
let roleA: number;
let roleB: number;
const MANAGER = 'manager.a@perm.test';
const EMPLOYEE = 'employee.a@perm.test';

const post = async (url: string, payload: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload, headers });
const created = async (url: string, payload: object) => {
  const res = await post(url, payload);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: number; version: number }>();
};

beforeAll(async () => {
  t = await buildTestUsersApp('pglite', { RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: '25' });
  locA = (await created('/api/v1/locations', { name: 'Perm A', timezone: 'UTC' })).id;
  locB = (await created('/api/v1/locations', { name: 'Perm B', timezone: 'UTC' })).id;
  roleA = (await created('/api/v1/roles', { location_id: locA, name: 'Cook' })).id;
  roleB = (await created('/api/v1/roles', { location_id: locB, name: 'Baker' })).id;
  await created('/api/v1/users', {
    first_name: 'Mona',
    last_name: 'Manager',
    email: MANAGER,
    type: 'manager',
    location_ids: [locA],
  });
  await created('/api/v1/users', {
    first_name: 'Eli',
    last_name: 'Employee',
    email: EMPLOYEE,
    location_ids: [locA],
    role_ids: [roleA],
  });
});
afterAll(() => t?.close());

describe('what a manager may not do', () => {
  it('make anyone an admin, change an admin, or move people to a location they do not run', async () => {
    const asManager = await bearer(MANAGER);
    const person = await created('/api/v1/users', {
      first_name: 'Pat',
      last_name: 'A',
      location_ids: [locA],
    });
    const patch = (payload: object, id = person.id) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${id}`,
        headers: { ...asManager, 'if-match': '"1"' },
        payload,
      });
    expect((await patch({ type: 'employer' })).statusCode).toBe(403);
    expect((await patch({ location_ids: [locA, locB] })).statusCode).toBe(403);
    const admin = await created('/api/v1/users', {
      first_name: 'Ada',
      last_name: 'Admin',
      type: 'employer',
      location_ids: [locA],
    });
    expect((await patch({ first_name: 'Changed' }, admin.id)).statusCode).toBe(403);
    expect(
      (
        await post(
          '/api/v1/users',
          { first_name: 'X', last_name: 'Y', type: 'employer', location_ids: [locA] },
          asManager,
        )
      ).statusCode,
    ).toBe(403);
    expect(
      (await post('/api/v1/users', { first_name: 'X', last_name: 'Y', location_ids: [locB] }, asManager))
        .statusCode,
    ).toBe(403);
    // Within their own location they may.
    const ok = await patch({ first_name: 'Patricia', role_ids: [roleA] });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it("refuses a person's role at a location where they do not work, with 422 naming it", async () => {
    const res = await post('/api/v1/users', {
      first_name: 'R',
      last_name: 'Z',
      location_ids: [locA],
      role_ids: [roleB],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'role-not-at-location', param: 'role_ids' });
    expect(res.json<{ detail: string }>().detail).toContain('Baker');
  });
});

describe("shifts' own identity", () => {
  const shiftsToken = async (scope = 'users:read') => {
    const env = await authEnv('shifts');
    return clientCredentials({
      issuer: env.AUTH_ISSUER!,
      clientId: CLIENTS.shifts,
      clientSecret: env.AUTH_CLIENT_SECRET!,
      resource: AUDIENCES.users,
      scope,
    }).token();
  };

  it('reads people without their contact details, and may change nothing', async () => {
    const headers = { authorization: `Bearer ${await shiftsToken()}` };
    const list = await t.app.inject({ url: `/api/v1/users?location_id=${locA}`, headers });
    expect(list.statusCode).toBe(200);
    const people = list.json<{ data: Array<{ email: string | null; mobile_number: string | null }> }>().data;
    expect(people.length).toBeGreaterThan(0);
    expect(people.every((p) => p.email === null && p.mobile_number === null)).toBe(true);
    expect((await post('/api/v1/users', { first_name: 'S', last_name: 'X' }, headers)).statusCode).toBe(403);
    expect((await post('/api/v1/roles', { location_id: locA, name: 'Sneaky' }, headers)).statusCode).toBe(
      403,
    );
    expect((await t.app.inject({ url: '/api/v1/users/me', headers })).statusCode).toBe(403);
  });

  it("reads a person's time off by its days, never its reason", async () => {
    const person = await post('/api/v1/users', {
      first_name: 'Off',
      last_name: 'Sick',
      location_ids: [locA],
    });
    const userId = person.json<{ id: number }>().id;
    const made = await post('/api/v1/time-off', {
      user_id: userId,
      start_date: '2033-05-02',
      end_date: '2033-05-03',
      reason: 'hospital appointment',
    });
    expect(made.statusCode, made.body).toBe(201);
    const headers = { authorization: `Bearer ${await shiftsToken()}` };
    const list = await t.app.inject({
      url: `/api/v1/time-off?user_id=${userId}&from=2033-05-01&to=2033-05-31`,
      headers,
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json<{ data: Array<{ reason: string | null }> }>().data).toEqual([
      expect.objectContaining({ start_date: '2033-05-02', reason: null }),
    ]);
    const one = await t.app.inject({ url: `/api/v1/time-off/${made.json<{ id: number }>().id}`, headers });
    expect(one.json<{ reason: string | null }>().reason).toBeNull();
  });

  it('refuses a client it does not trust, and a token without the users:read scope', async () => {
    const { issuer } = await testIssuer();
    const key = await importJWK(issuer.signingKey, 'ES256');
    const token = (clientId: string, scope: string) =>
      new SignJWT({ client_id: clientId, scope })
        .setProtectedHeader({ alg: 'ES256', kid: issuer.signingKey.kid })
        .setSubject(clientId)
        .setIssuer(issuer.url)
        .setAudience(AUDIENCES.users)
        .setExpirationTime('2m')
        .sign(key);
    const ask = async (bearerToken: string) =>
      t.app.inject({ url: '/api/v1/users', headers: { authorization: `Bearer ${bearerToken}` } });
    const intruder = await ask(await token('shiftstack-intruder', 'users:read'));
    expect(intruder.statusCode).toBe(403);
    expect(intruder.json<{ detail: string }>().detail).toContain('not trusted');
    const narrow = await ask(await token(CLIENTS.shifts, 'profile'));
    expect(narrow.statusCode).toBe(403);
    expect(narrow.json<{ detail: string }>().detail).toContain('users:read');
  });
});

describe('rate limits per signed-in person', () => {
  it('answers 429 with Retry-After to one person past the limit, while another carries on', async () => {
    const employee = await bearer(EMPLOYEE);
    let limited: { statusCode: number; headers: Record<string, unknown>; json: () => unknown } | undefined;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await t.app.inject({ url: '/api/v1/users/me', headers: employee });
      if (res.statusCode === 429) limited = res;
    }
    expect(limited, 'never limited').toBeDefined();
    expect(limited!.json()).toMatchObject({ code: 'rate-limited' });
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    expect((await t.app.inject({ url: '/api/v1/users/me', headers: await bearer(MANAGER) })).statusCode).toBe(
      200,
    );
  });
});
