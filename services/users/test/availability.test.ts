// Availability and time off in the users service, on PGlite and PostgreSQL: who may read and change a
// person's weekly windows; time off asked by the person, decided by a manager of their location (never
// by themselves), listed by range, with If-Match on every change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { bearer } from '../../../test/support/auth';
import { buildTestUsersApp } from './harness';

describeOnDatabases('availability and time off on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
  const ids = { locA: 0, locB: 0, manager: 0, employee: 0, other: 0 };
  const MANAGER = `manager.${kind}@avail.test`;
  const EMPLOYEE = `employee.${kind}@avail.test`;
  const OTHER = `other.${kind}@avail.test`;

  const call = async (as: string | null, method: string, url: string, payload?: object, headers = {}) =>
    t.app.inject({
      method: method as 'GET',
      url,
      ...(payload ? { payload } : {}),
      headers: { ...(as ? await bearer(as) : {}), ...headers },
    });
  const made = async (url: string, payload: object) => {
    const res = await call(null, 'POST', url, payload);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: number }>().id;
  };

  beforeAll(async () => {
    t = await buildTestUsersApp(kind);
    ids.locA = await made('/api/v1/locations', { name: `Avail A ${kind}`, timezone: 'America/Toronto' });
    ids.locB = await made('/api/v1/locations', { name: `Avail B ${kind}`, timezone: 'UTC' });
    const person = (first: string, email: string, loc: number, type = 'employee') =>
      made('/api/v1/users', { first_name: first, last_name: 'Avail', email, type, location_ids: [loc] });
    ids.manager = await person('Mona', MANAGER, ids.locA, 'manager');
    ids.employee = await person('Eli', EMPLOYEE, ids.locA);
    ids.other = await person('Otto', OTHER, ids.locB);
  });
  afterAll(() => t?.close());

  describe('weekly availability', () => {
    const windows = [
      { weekday: 1, start: '09:00', end: '17:00' },
      { weekday: 3, start: '18:00', end: '24:00' },
    ];

    it('starts empty (any time); the person sets theirs with If-Match, and reads it back', async () => {
      const url = `/api/v1/users/${ids.employee}/availability`;
      const first = await call(EMPLOYEE, 'GET', url);
      expect(first.json()).toEqual({ user_id: ids.employee, windows: [], version: 1 });
      expect((await call(EMPLOYEE, 'PUT', url, { windows })).statusCode).toBe(428);
      const put = await call(EMPLOYEE, 'PUT', url, { windows }, { 'if-match': first.headers.etag });
      expect(put.statusCode, put.body).toBe(200);
      expect(put.json()).toEqual({ user_id: ids.employee, windows, version: 2 });
      expect((await call(MANAGER, 'GET', url)).json<{ windows: unknown[] }>().windows).toEqual(windows);
      expect((await call(EMPLOYEE, 'PUT', url, { windows: [] }, { 'if-match': '"1"' })).statusCode).toBe(412);
    });

    it('a manager changes their people; nobody else does, and no other employee reads it', async () => {
      const url = `/api/v1/users/${ids.employee}/availability`;
      const current = (await call(MANAGER, 'GET', url)).headers.etag as string;
      const res = await call(MANAGER, 'PUT', url, { windows: windows.slice(0, 1) }, { 'if-match': current });
      expect(res.statusCode, res.body).toBe(200);
      expect((await call(OTHER, 'GET', url)).statusCode).toBe(403);
      const otherUrl = `/api/v1/users/${ids.other}/availability`;
      expect((await call(MANAGER, 'PUT', otherUrl, { windows }, { 'if-match': '"1"' })).statusCode).toBe(403);
    });

    it('refuses a window that ends before it starts, overlapping windows, and times that are not times', async () => {
      const url = `/api/v1/users/${ids.other}/availability`;
      const put = (w: object[]) => call(null, 'PUT', url, { windows: w }, { 'if-match': '"1"' });
      const backwards = await put([{ weekday: 2, start: '17:00', end: '09:00' }]);
      expect([backwards.statusCode, backwards.json().param]).toEqual([422, 'windows.0.end']);
      const overlap = await put([
        { weekday: 2, start: '09:00', end: '13:00' },
        { weekday: 2, start: '12:00', end: '18:00' },
      ]);
      expect([overlap.statusCode, overlap.json().code]).toEqual([422, 'validation-failed']);
      for (const bad of [
        { weekday: 8, start: '09:00', end: '10:00' },
        { weekday: 1, start: '9:00', end: '10:00' },
      ])
        expect((await put([bad])).statusCode).toBe(400);
    });

    it("lists a location's people for its managers; its employees get their own; others none", async () => {
      const url = `/api/v1/locations/${ids.locA}/availability`;
      const byManager = await call(MANAGER, 'GET', url);
      expect(byManager.statusCode, byManager.body).toBe(200);
      const people = byManager.json<{ data: { user_id: number; windows: unknown[] }[] }>().data;
      expect(people.map((a) => a.user_id)).toEqual([ids.manager, ids.employee]);
      expect(people[1]!.windows).toEqual(windows.slice(0, 1));
      const own = (await call(EMPLOYEE, 'GET', url)).json<{ data: { user_id: number }[] }>().data;
      expect(own.map((a) => a.user_id)).toEqual([ids.employee]);
      expect((await call(EMPLOYEE, 'GET', `${url}?user_id=${ids.manager}`)).statusCode).toBe(403);
      expect((await call(OTHER, 'GET', url)).statusCode).toBe(403);
      expect((await call(MANAGER, 'GET', '/api/v1/locations/999999/availability')).statusCode).toBe(404);
    });

    it('pages through the people in id order', async () => {
      const url = `/api/v1/locations/${ids.locA}/availability?limit=1`;
      const first = (await call(null, 'GET', url)).json<{
        data: { user_id: number }[];
        meta: { cursor: { next: string } };
      }>();
      expect(first.data.map((a) => a.user_id)).toEqual([ids.manager]);
      const next = await call(null, 'GET', `${url}&cursor=${first.meta.cursor.next}`);
      expect(next.json<{ data: { user_id: number }[] }>().data.map((a) => a.user_id)).toEqual([ids.employee]);
      expect((await call(null, 'GET', `${url}&cursor=nonsense`)).statusCode).toBe(400);
    });
  });

  describe('time off', () => {
    let asked: { id: number; version: number };

    it('the person asks; it starts as requested and they see it in their list', async () => {
      const res = await call(EMPLOYEE, 'POST', '/api/v1/time-off', {
        start_date: '2031-08-03',
        end_date: '2031-08-07',
        reason: ' Family wedding ',
      });
      expect(res.statusCode, res.body).toBe(201);
      asked = res.json();
      expect(res.json()).toMatchObject({
        user_id: ids.employee,
        start_date: '2031-08-03',
        end_date: '2031-08-07',
        reason: 'Family wedding',
        status: 'requested',
        decided_by: null,
      });
      expect(res.headers.location).toBe(`/api/v1/time-off/${asked.id}`);
      const mine = await call(EMPLOYEE, 'GET', '/api/v1/time-off?from=2031-08-01&to=2031-08-31');
      expect(mine.json<{ data: Array<{ id: number }> }>().data.map((r) => r.id)).toEqual([asked.id]);
    });

    it('the person may not decide it; a manager of their location approves it with If-Match', async () => {
      const decide = (as: string, version: number, status: string) =>
        call(as, 'PATCH', `/api/v1/time-off/${asked.id}`, { status }, { 'if-match': `"${version}"` });
      expect((await decide(EMPLOYEE, asked.version, 'approved')).statusCode).toBe(403);
      expect((await decide(OTHER, asked.version, 'approved')).statusCode).toBe(403);
      const approved = await decide(MANAGER, asked.version, 'approved');
      expect(approved.statusCode, approved.body).toBe(200);
      expect(approved.json()).toMatchObject({ status: 'approved', decided_by: ids.manager });
      expect((await decide(MANAGER, asked.version, 'declined')).statusCode).toBe(412);
    });

    it('lists by range, location and status; employees only their own, managers only their people', async () => {
      await call(OTHER, 'POST', '/api/v1/time-off', { start_date: '2031-08-05', end_date: '2031-08-05' });
      const list = async (as: string | null, q: string) =>
        (await call(as, 'GET', `/api/v1/time-off?${q}`)).json<{ data: Array<{ user_id: number }> }>().data;
      const range = 'from=2031-08-06&to=2031-08-06';
      expect((await list(null, range)).map((r) => r.user_id)).toEqual([ids.employee]);
      expect((await list(null, 'from=2031-08-01&to=2031-08-31')).map((r) => r.user_id)).toEqual([
        ids.employee,
        ids.other,
      ]);
      expect((await list(MANAGER, 'from=2031-08-01&to=2031-08-31')).map((r) => r.user_id)).toEqual([
        ids.employee,
      ]);
      expect((await list(OTHER, 'from=2031-08-01&to=2031-08-31')).map((r) => r.user_id)).toEqual([ids.other]);
      expect(
        (await list(null, `from=2031-08-01&to=2031-08-31&location_id=${ids.locB}`)).map((r) => r.user_id),
      ).toEqual([ids.other]);
      expect(
        (await list(null, 'from=2031-08-01&to=2031-08-31&status=approved')).map((r) => r.user_id),
      ).toEqual([ids.employee]);
      expect(
        (await call(OTHER, 'GET', `/api/v1/time-off?from=2031-08-01&to=2031-08-31&user_id=${ids.employee}`))
          .statusCode,
      ).toBe(403);
    });

    it('refuses days in the wrong order, over a year, a range over 366 days, and someone else’s request by an employee', async () => {
      const ask = (as: string, body: object) => call(as, 'POST', '/api/v1/time-off', body);
      expect((await ask(EMPLOYEE, { start_date: '2031-09-05', end_date: '2031-09-01' })).statusCode).toBe(
        422,
      );
      expect((await ask(EMPLOYEE, { start_date: '2031-01-01', end_date: '2032-06-01' })).statusCode).toBe(
        422,
      );
      expect((await ask(EMPLOYEE, { start_date: '2031-02-30', end_date: '2031-03-01' })).statusCode).toBe(
        400,
      );
      expect(
        (await ask(OTHER, { user_id: ids.employee, start_date: '2031-09-01', end_date: '2031-09-01' }))
          .statusCode,
      ).toBe(403);
      expect((await call(null, 'GET', '/api/v1/time-off?from=2031-01-01&to=2032-12-31')).statusCode).toBe(
        422,
      );
    });
  });
});
