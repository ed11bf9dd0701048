// The users API end to end through inject(), on PGlite AND PostgreSQL: people, locations, roles, filters,
// batch reads, ETags, idempotent creation, deactivation and reactivation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { bearer } from '../../../test/support/auth';
import { buildTestUsersApp } from './harness';

interface UserBody {
  id: number;
  first_name: string;
  last_name: string;
  email: string | null;
  type: string;
  active: boolean;
  inactive_reason: string | null;
  location_ids: number[];
  role_ids: number[];
  version: number;
}
interface PageBody<T> {
  data: T[];
  meta: { cursor: { next: string | null; prev: string | null; count: number } };
}

function expectProblem(res: LightMyRequestResponse, status: number, code: string, param?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json<{ code: string; status: number; param?: string }>();
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  if (param !== undefined) expect(body.param).toBe(param);
  return body;
}

describeOnDatabases('users API on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
  let locationId: number;
  let otherLocationId: number;
  let roleId: number;
  beforeAll(async () => {
    t = await buildTestUsersApp(kind);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/locations',
      payload: { name: 'Downtown', timezone: 'America/Toronto' },
    });
    locationId = res.json<{ id: number }>().id;
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/locations',
      payload: { name: 'Uptown', timezone: 'Europe/Paris' },
    });
    otherLocationId = other.json<{ id: number }>().id;
    const role = await t.app.inject({
      method: 'POST',
      url: '/api/v1/roles',
      payload: { location_id: locationId, name: 'Barista' },
    });
    roleId = role.json<{ id: number }>().id;
  }, 60_000);
  afterAll(() => t?.close());

  const create = async (payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/users', payload, headers });
  const createOk = async (payload: Record<string, unknown>) => {
    const res = await create(payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<UserBody>();
  };
  /** If-Match for the resource as it is now (none for one that does not exist). */
  const current = async (url: string): Promise<Record<string, string>> => {
    const etag = (await t.app.inject({ url })).headers.etag;
    return etag ? { 'if-match': String(etag) } : {};
  };
  const list = async (query: string) => {
    const res = await t.app.inject({ url: `/api/v1/users?${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<PageBody<UserBody>>();
  };

  it('creates a person and reads them back with an ETag', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: 'ada@example.com',
        location_ids: [locationId],
      },
    });
    expect(created.statusCode).toBe(201);
    const user = created.json<UserBody>();
    expect(created.headers.location).toBe(`/api/v1/users/${user.id}`);
    expect(user).toMatchObject({
      type: 'employee',
      active: true,
      inactive_reason: null,
      version: 1,
      location_ids: [locationId],
      role_ids: [],
    });
    const read = await t.app.inject({ url: `/api/v1/users/${user.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(`"${user.version}"`);
    expect(read.json()).toMatchObject({
      id: user.id,
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@example.com',
    });
  });

  it('answers 304 to a matching If-None-Match and 200 to a stale one', async () => {
    const u = await createOk({ first_name: 'Etag', last_name: 'Person' });
    const notModified = await t.app.inject({
      url: `/api/v1/users/${u.id}`,
      headers: { 'if-none-match': `"${u.version}"` },
    });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe('');
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${u.id}`,
      headers: await current(`/api/v1/users/${u.id}`),
      payload: { first_name: 'Etagged' },
    });
    const changed = await t.app.inject({
      url: `/api/v1/users/${u.id}`,
      headers: { 'if-none-match': `"${u.version}"` },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).toBe(`"${u.version + 1}"`);
  });

  it('answers 404 not-found for a person who does not exist', async () => {
    expectProblem(await t.app.inject({ url: '/api/v1/users/999999' }), 404, 'not-found');
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/users/999999',
        headers: await current('/api/v1/users/999999'),
        payload: { first_name: 'X' },
      }),
      404,
      'not-found',
    );
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/v1/users/999999' }), 404, 'not-found');
  });

  it('refuses a stale If-Match with 412 version-mismatch', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { first_name: 'Grace', last_name: 'Hopper' },
    });
    const { id } = created.json<{ id: number }>();
    const first = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${id}`,
      headers: { 'if-match': '"1"' },
      payload: { first_name: 'G.' },
    });
    expect(first.statusCode).toBe(200);
    expect(first.headers.etag).toBe('"2"');
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${id}`,
      headers: { 'if-match': '"1"' },
      payload: { first_name: 'X' },
    });
    const body = expectProblem(stale, 412, 'version-mismatch', 'If-Match');
    expect(body).toMatchObject({ current_version: 2 });
    expect(stale.headers.etag).toBe('"2"');
    // The stale write changed nothing.
    expect((await t.app.inject({ url: `/api/v1/users/${id}` })).json()).toMatchObject({
      first_name: 'G.',
      version: 2,
    });
    // A stale If-Match on DELETE is refused too.
    expectProblem(
      await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${id}`, headers: { 'if-match': '"1"' } }),
      412,
      'version-mismatch',
    );
  });

  it('refuses a malformed If-Match with 400', async () => {
    const u = await createOk({ first_name: 'Mal', last_name: 'Formed' });
    for (const bad of ['1', 'abc', '"x"', '"1', '"99999999999"']) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${u.id}`,
        headers: { 'if-match': bad },
        payload: { first_name: 'Y' },
      });
      expectProblem(res, 400, 'validation-failed', 'If-Match');
    }
    // `*` would overwrite blind, like no If-Match at all; a weak ETag of the current version is accepted.
    for (const headers of [{ 'if-match': '*' }, {}]) {
      const blind = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${u.id}`,
        headers,
        payload: { first_name: 'Y' },
      });
      expectProblem(blind, 428, 'precondition-required', 'If-Match');
    }
    const weak = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${u.id}`,
      headers: { 'if-match': 'W/"1"' },
      payload: { first_name: 'Z' },
    });
    expect(weak.statusCode).toBe(200);
  });

  it('patches fields and links, bumping the version', async () => {
    const u = await createOk({ first_name: ' Pat ', last_name: ' Ch ', location_ids: [locationId] });
    expect(u).toMatchObject({ first_name: 'Pat', last_name: 'Ch' });
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${u.id}`,
      headers: await current(`/api/v1/users/${u.id}`),
      payload: {
        type: 'manager',
        location_ids: [otherLocationId, locationId],
        role_ids: [roleId],
        hire_date: '2024-03-01',
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      type: 'manager',
      location_ids: [locationId, otherLocationId].sort((a, b) => a - b),
      role_ids: [roleId],
      hire_date: '2024-03-01',
      version: 2,
    });
    const cleared = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${u.id}`,
      headers: await current(`/api/v1/users/${u.id}`),
      payload: { role_ids: [] },
    });
    expect(cleared.json()).toMatchObject({
      role_ids: [],
      location_ids: [locationId, otherLocationId].sort((a, b) => a - b),
      version: 3,
    });
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${u.id}`,
        headers: await current(`/api/v1/users/${u.id}`),
        payload: {},
      }),
      400,
      'validation-failed',
    );
  });

  it('refuses a second person with the same email, whatever its case, with 409 email-taken', async () => {
    await createOk({ first_name: 'Eve', last_name: 'One', email: 'eve@example.com' });
    expectProblem(
      await create({ first_name: 'Eve', last_name: 'Two', email: 'EVE@Example.COM' }),
      409,
      'email-taken',
      'email',
    );
    const other = await createOk({ first_name: 'Eve', last_name: 'Three', email: 'eve3@example.com' });
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${other.id}`,
        headers: await current(`/api/v1/users/${other.id}`),
        payload: { email: 'Eve@example.com' },
      }),
      409,
      'email-taken',
      'email',
    );
    // People without an email never collide.
    await createOk({ first_name: 'No', last_name: 'Mail', email: null });
    await createOk({ first_name: 'No', last_name: 'Mail' });
  });

  it('refuses links to unknown locations and roles with 422', async () => {
    expectProblem(
      await create({ first_name: 'L', last_name: 'X', location_ids: [locationId, 987654] }),
      422,
      'unknown-location',
      'location_ids',
    );
    expectProblem(
      await create({ first_name: 'R', last_name: 'X', role_ids: [987654] }),
      422,
      'unknown-role',
      'role_ids',
    );
    const u = await createOk({ first_name: 'Link', last_name: 'Patch' });
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${u.id}`,
        headers: await current(`/api/v1/users/${u.id}`),
        payload: { location_ids: [987654] },
      }),
      422,
      'unknown-location',
      'location_ids',
    );
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${u.id}`,
        headers: await current(`/api/v1/users/${u.id}`),
        payload: { role_ids: [987654] },
      }),
      422,
      'unknown-role',
      'role_ids',
    );
    // Nothing was written by the refused requests.
    expect((await list('q=L%20X')).data).toHaveLength(0);
    expect((await t.app.inject({ url: `/api/v1/users/${u.id}` })).json()).toMatchObject({
      version: 1,
      location_ids: [],
      role_ids: [],
    });
  });

  it('deactivates (never erases), keeps the reason, hides from the default list, and reactivates', async () => {
    const u = await createOk({ first_name: 'Dee', last_name: 'Activate', location_ids: [locationId] });
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${u.id}`,
      headers: await current(`/api/v1/users/${u.id}`),
      payload: { inactive_reason: 'Moved away' },
    });
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json()).toMatchObject({ id: u.id, active: false, inactive_reason: 'Moved away', version: 2 });
    const read = await t.app.inject({ url: `/api/v1/users/${u.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      active: false,
      inactive_reason: 'Moved away',
      location_ids: [locationId],
    });
    // Deleting again changes nothing.
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${u.id}`,
      headers: await current(`/api/v1/users/${u.id}`),
    });
    expect(again.json()).toMatchObject({ active: false, inactive_reason: 'Moved away', version: 2 });

    const ids = (page: PageBody<UserBody>) => page.data.map((x) => x.id);
    expect(ids(await list('q=Activate'))).not.toContain(u.id);
    expect(ids(await list('q=Activate&status=active'))).not.toContain(u.id);
    expect(ids(await list('q=Activate&status=inactive'))).toEqual([u.id]);
    expect(ids(await list('q=Activate&status=all'))).toEqual([u.id]);

    const back = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${u.id}`,
      headers: await current(`/api/v1/users/${u.id}`),
      payload: { active: true },
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ active: true, inactive_reason: null, version: 3 });
    expect(ids(await list('q=Activate'))).toEqual([u.id]);
    // `active: false` is not a way to deactivate: DELETE is.
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/users/${u.id}`,
        headers: await current(`/api/v1/users/${u.id}`),
        payload: { active: false },
      }),
      400,
      'validation-failed',
    );
  });

  it('a DELETE without a body records a default reason', async () => {
    const u = await createOk({ first_name: 'Default', last_name: 'Reason' });
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${u.id}`,
      headers: await current(`/api/v1/users/${u.id}`),
    });
    expect(del.statusCode, del.body).toBe(200);
    expect(del.json<UserBody>().inactive_reason).toBeTruthy();
  });

  describe('idempotent creation', () => {
    it('replays the same response for the same key and body, with exactly one row', async () => {
      const payload = { first_name: 'Idem', last_name: 'Potent', email: 'idem@example.com' };
      const first = await create(payload, { 'idempotency-key': 'key-1' });
      expect(first.statusCode).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const second = await create(payload, { 'idempotency-key': 'key-1' });
      expect(second.statusCode).toBe(201);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.json()).toEqual(first.json());
      expect(second.headers.location).toBe(first.headers.location);
      const rows = await t.database.db
        .selectFrom('users')
        .select('id')
        .where('last_name', '=', 'Potent')
        .execute();
      expect(rows).toHaveLength(1);
    });

    it("is the caller's own key: another person sending it neither replays the first's answer nor is refused", async () => {
      const loc = await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: { name: `Keys ${Date.now()}`, timezone: 'UTC' },
      });
      const locationId = loc.json<{ id: number }>().id;
      await createOk({
        first_name: 'Key',
        last_name: 'Manager',
        email: 'key.manager@example.com',
        type: 'manager',
        location_ids: [locationId],
      });
      const payload = { first_name: 'Same', last_name: 'Keyholder', location_ids: [locationId] };
      const byAdmin = await create(payload, { 'idempotency-key': 'shared-key' });
      expect(byAdmin.statusCode).toBe(201);
      const byManager = await create(payload, {
        'idempotency-key': 'shared-key',
        ...(await bearer('key.manager@example.com')),
      });
      expect(byManager.statusCode, byManager.body).toBe(201);
      expect(byManager.headers['idempotent-replayed']).toBeUndefined();
      expect(byManager.json<UserBody>().id).not.toBe(byAdmin.json<UserBody>().id);
      const otherBody = await create(
        { ...payload, first_name: 'Other' },
        { 'idempotency-key': 'shared-key', ...(await bearer('key.manager@example.com')) },
      );
      expect(otherBody.statusCode).toBe(422); // the manager's own key, reused with another body
    });

    it('refuses the same key with another body: 422 idempotency-key-reused', async () => {
      const first = await create({ first_name: 'Reuse', last_name: 'Key' }, { 'idempotency-key': 'key-2' });
      expect(first.statusCode).toBe(201);
      expectProblem(
        await create({ first_name: 'Other', last_name: 'Body' }, { 'idempotency-key': 'key-2' }),
        422,
        'idempotency-key-reused',
        'Idempotency-Key',
      );
      const rows = await t.database.db
        .selectFrom('users')
        .select('id')
        .where('last_name', 'in', ['Key', 'Body'])
        .execute();
      expect(rows).toHaveLength(1);
    });

    it('a refused first attempt stores nothing: the same key can be retried with a fixed body', async () => {
      expectProblem(
        await create(
          { first_name: 'Bad', last_name: 'Link', location_ids: [987654] },
          { 'idempotency-key': 'key-3' },
        ),
        422,
        'unknown-location',
      );
      const retry = await create(
        { first_name: 'Bad', last_name: 'Link', location_ids: [987654] },
        { 'idempotency-key': 'key-3' },
      );
      expectProblem(retry, 422, 'unknown-location');
      const fixed = await create(
        { first_name: 'Bad', last_name: 'Link', location_ids: [locationId] },
        { 'idempotency-key': 'key-3' },
      );
      expect(fixed.statusCode, fixed.body).toBe(201);
    });

    it('concurrent requests with one key create one row', async () => {
      const payload = { first_name: 'Con', last_name: 'Current', email: 'concurrent@example.com' };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => create(payload, { 'idempotency-key': 'key-concurrent' })),
      );
      for (const r of results) {
        // A duplicate either waits and replays (201), or, if it could not wait, is told to retry (409 in-flight).
        expect([201, 409], r.body).toContain(r.statusCode);
        if (r.statusCode === 409) expectProblem(r, 409, 'idempotency-key-in-flight');
      }
      const ok = results.filter((r) => r.statusCode === 201);
      expect(ok.length).toBeGreaterThanOrEqual(1);
      expect(new Set(ok.map((r) => r.json<UserBody>().id)).size).toBe(1);
      expect(ok.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
      const rows = await t.database.db
        .selectFrom('users')
        .select('id')
        .where('last_name', '=', 'Current')
        .execute();
      expect(rows).toHaveLength(1);
    });

    it('refuses a malformed Idempotency-Key with 400', async () => {
      expectProblem(
        await create({ first_name: 'K', last_name: 'K' }, { 'idempotency-key': 'a'.repeat(256) }),
        400,
        'validation-failed',
        'Idempotency-Key',
      );
    });
  });

  describe('filters', () => {
    let ids: Record<string, number>;
    let locA: number;
    let locB: number;
    let roleA: number;
    beforeAll(async () => {
      const la = await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: { name: 'Filter A', timezone: 'UTC' },
      });
      const lb = await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: { name: 'Filter B', timezone: 'Asia/Tokyo' },
      });
      locA = la.json<{ id: number }>().id;
      locB = lb.json<{ id: number }>().id;
      roleA = (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/roles',
          payload: { location_id: locA, name: 'Cook' },
        })
      ).json<{ id: number }>().id;
      ids = {};
      const people: Array<[string, Record<string, unknown>]> = [
        [
          'zed',
          {
            first_name: 'Zed',
            last_name: 'Fltr',
            email: 'ZED@filter.test',
            type: 'manager',
            location_ids: [locA],
            role_ids: [roleA],
          },
        ],
        [
          'amy',
          { first_name: 'Amy', last_name: 'Fltr', email: 'amy@filter.test', location_ids: [locA, locB] },
        ],
        ['bob', { first_name: 'Bob', last_name: 'Fltr_Under', location_ids: [locB] }],
        ['pct', { first_name: 'Per100%', last_name: 'Fltr', location_ids: [locB] }],
        ['gone', { first_name: 'Gone', last_name: 'Fltr', location_ids: [locA] }],
      ];
      for (const [k, p] of people) ids[k] = (await createOk(p)).id;
      await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/users/${ids.gone}`,
        headers: await current(`/api/v1/users/${ids.gone}`),
        payload: { inactive_reason: 'Left' },
      });
    }, 60_000);
    const names = async (query: string) => (await list(query)).data.map((u) => u.first_name);

    it('lists in (last_name, first_name, id) order, active by default', async () => {
      expect(await names('q=fltr')).toEqual(['Amy', 'Per100%', 'Zed', 'Bob']);
    });
    it('filters by location, role and type', async () => {
      expect(await names(`q=fltr&location_id=${locA}`)).toEqual(['Amy', 'Zed']);
      expect(await names(`q=fltr&location_id=${locB}`)).toEqual(['Amy', 'Per100%', 'Bob']);
      expect(await names(`q=fltr&location_id=${locA}&status=all`)).toEqual(['Amy', 'Gone', 'Zed']);
      expect(await names(`role_id=${roleA}`)).toEqual(['Zed']);
      expect(await names('q=fltr&type=manager')).toEqual(['Zed']);
      expect(await names('q=fltr&type=employee&status=inactive')).toEqual(['Gone']);
    });
    it('searches names and email case-insensitively, with % and _ taken literally', async () => {
      expect(await names('q=ZED%40FILTER')).toEqual(['Zed']);
      expect(await names('q=aMy')).toEqual(['Amy']);
      expect(await names('q=r_u')).toEqual(['Bob']);
      expect(await names('q=fltr_')).toEqual(['Bob']);
      expect(await names(`q=${encodeURIComponent('100%')}`)).toEqual(['Per100%']);
      expect(await names(`q=${encodeURIComponent('%')}`)).toEqual(['Per100%']);
      expect(await names(`q=${encodeURIComponent('_')}`)).toEqual(['Bob']);
      expect(await names('q=nobody-has-this')).toEqual([]);
    });
    it('reads a batch by ids, any status by default', async () => {
      const page = await list(`ids=${ids.zed},${ids.gone},${ids.amy},999999,${ids.zed}`);
      expect(page.data.map((u) => u.id)).toEqual([ids.amy, ids.gone, ids.zed]);
      expect((await list(`ids=${ids.zed},${ids.gone}&status=active`)).data.map((u) => u.id)).toEqual([
        ids.zed,
      ]);
      expect((await list(`ids=${ids.zed},${ids.gone}&status=inactive`)).data.map((u) => u.id)).toEqual([
        ids.gone,
      ]);
      expectProblem(await t.app.inject({ url: '/api/v1/users?ids=1,,2' }), 400, 'validation-failed', 'ids');
      expectProblem(await t.app.inject({ url: '/api/v1/users?ids=a' }), 400, 'validation-failed', 'ids');
    });
    it('refuses unknown filters and bad values with 400 naming the parameter', async () => {
      expectProblem(
        await t.app.inject({ url: '/api/v1/users?status=gone' }),
        400,
        'validation-failed',
        'status',
      );
      expectProblem(await t.app.inject({ url: '/api/v1/users?type=boss' }), 400, 'validation-failed', 'type');
      expectProblem(await t.app.inject({ url: '/api/v1/users?limit=0' }), 400, 'validation-failed', 'limit');
      expectProblem(
        await t.app.inject({ url: '/api/v1/users?colour=red' }),
        400,
        'validation-failed',
        'colour',
      );
    });
  });

  describe('locations and roles', () => {
    it('creates, reads, lists and patches locations', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: { name: '  Harbour ', timezone: 'America/Halifax' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const loc = created.json<{ id: number; name: string; timezone: string }>();
      expect(loc).toMatchObject({ name: 'Harbour', timezone: 'America/Halifax' });
      expect(created.headers.location).toBe(`/api/v1/locations/${loc.id}`);
      expect((await t.app.inject({ url: `/api/v1/locations/${loc.id}` })).json()).toMatchObject(loc);
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/locations/${loc.id}`,
        headers: await current(`/api/v1/locations/${loc.id}`),
        payload: { timezone: 'UTC' },
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({ name: 'Harbour', timezone: 'UTC' });
      const all = await t.app.inject({ url: '/api/v1/locations?limit=500' });
      expect(all.json<PageBody<{ id: number }>>().data.map((l) => l.id)).toContain(loc.id);
      expectProblem(await t.app.inject({ url: '/api/v1/locations/999999' }), 404, 'not-found');
      expectProblem(
        await t.app.inject({
          method: 'PATCH',
          url: '/api/v1/locations/999999',
          headers: await current('/api/v1/locations/999999'),
          payload: { name: 'N' },
        }),
        404,
        'not-found',
      );
    });

    it("keeps each location's work rules: overtime past 40 h and 11 h rest by default, set and changed by admins", async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: { name: 'Rules Default', timezone: 'Europe/Paris' },
      });
      expect(res.json()).toMatchObject({ overtime_hours_per_week: 40, min_rest_hours: 11 });
      const set = await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: {
          name: 'Rules Set',
          timezone: 'Europe/Paris',
          overtime_hours_per_week: 35,
          min_rest_hours: 12,
        },
      });
      const id = set.json<{ id: number }>().id;
      expect(set.json()).toMatchObject({ overtime_hours_per_week: 35, min_rest_hours: 12 });
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/locations/${id}`,
        headers: await current(`/api/v1/locations/${id}`),
        payload: { min_rest_hours: 8 },
      });
      expect(patched.json()).toMatchObject({ overtime_hours_per_week: 35, min_rest_hours: 8 });
      for (const wrong of [{ overtime_hours_per_week: 0 }, { min_rest_hours: 25 }, { min_rest_hours: 1.5 }])
        expectProblem(
          await t.app.inject({
            method: 'POST',
            url: '/api/v1/locations',
            payload: { name: 'Rules Wrong', timezone: 'UTC', ...wrong },
          }),
          400,
          'validation-failed',
          Object.keys(wrong)[0],
        );
    });

    it('pages locations by cursor', async () => {
      const first = (await t.app.inject({ url: '/api/v1/locations?limit=1' })).json<
        PageBody<{ id: number }>
      >();
      expect(first.data).toHaveLength(1);
      expect(first.meta.cursor.next).toBeTruthy();
      const second = (
        await t.app.inject({ url: `/api/v1/locations?limit=1&cursor=${first.meta.cursor.next}` })
      ).json<PageBody<{ id: number }>>();
      expect(second.data[0]!.id).toBeGreaterThan(first.data[0]!.id);
    });

    it('refuses a taken location name (any case) with 409 name-taken', async () => {
      expectProblem(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/locations',
          payload: { name: 'DOWNTOWN', timezone: 'UTC' },
        }),
        409,
        'name-taken',
        'name',
      );
      expectProblem(
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v1/locations/${otherLocationId}`,
          headers: await current(`/api/v1/locations/${otherLocationId}`),
          payload: { name: 'downtown' },
        }),
        409,
        'name-taken',
        'name',
      );
    });

    it('refuses a time zone that is not IANA with 422, param timezone', async () => {
      for (const timezone of ['Mars/Olympus_Mons', 'not a zone', '+25:00']) {
        expectProblem(
          await t.app.inject({
            method: 'POST',
            url: '/api/v1/locations',
            payload: { name: `Bad ${timezone}`, timezone },
          }),
          422,
          'validation-failed',
          'timezone',
        );
      }
      expectProblem(
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v1/locations/${locationId}`,
          headers: await current(`/api/v1/locations/${locationId}`),
          payload: { timezone: 'Nowhere/Town' },
        }),
        422,
        'validation-failed',
        'timezone',
      );
    });

    it('creates, reads and lists roles; refuses unknown locations and taken names', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/roles',
        payload: { location_id: otherLocationId, name: 'Barista' },
      });
      expect(created.statusCode, created.body).toBe(201); // same name, other location: fine
      const role = created.json<{ id: number; location_id: number; name: string }>();
      expect(role).toMatchObject({ location_id: otherLocationId, name: 'Barista' });
      expect((await t.app.inject({ url: `/api/v1/roles/${role.id}` })).json()).toMatchObject(role);
      const byLocation = await t.app.inject({ url: `/api/v1/roles?location_id=${otherLocationId}` });
      expect(byLocation.json<PageBody<{ id: number }>>().data.map((r) => r.id)).toEqual([role.id]);
      expectProblem(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/roles',
          payload: { location_id: locationId, name: 'barista' },
        }),
        409,
        'name-taken',
        'name',
      );
      expectProblem(
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/roles',
          payload: { location_id: 987654, name: 'Cook' },
        }),
        422,
        'unknown-location',
        'location_id',
      );
      expectProblem(await t.app.inject({ url: '/api/v1/roles/999999' }), 404, 'not-found');
    });
  });
});
