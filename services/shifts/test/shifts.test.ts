// The shifts API against the REAL users service (a child process on loopback), on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { bearer, TEST_ADMIN, WITHOUT_IF_MATCH } from '../../../test/support/auth';
import { buildTestShiftsApp } from './harness';
import {
  dayAllocator,
  expectProblem,
  metricValue,
  call,
  startUsersFixture,
  type UsersFixture,
  countShifts,
} from './users-fixture';

interface ShiftJson {
  id: number;
  location_id: number;
  role_id: number | null;
  user_id: number | null;
  start: string;
  end: string;
  timezone: string;
  status: 'draft' | 'published';
  published_at: string | null;
  deleted_at: string | null;
  version: number;
  assignee?: { id: number; first_name: string; last_name: string } | null;
}
interface PageJson {
  data: ShiftJson[];
  meta: { cursor: { next: string | null; prev: string | null; count: number }; degraded?: boolean };
}

// Inline vitest projects do not inherit the root timeouts: a process start and a PGlite build take seconds here.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

let fx: UsersFixture;
beforeAll(async () => {
  fx = await startUsersFixture(8);
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

describeOnDatabases('shifts API on %s (real users service)', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  const day = dayAllocator('2031-01-06T00:00:00Z');
  beforeAll(async () => {
    t = await buildTestShiftsApp(kind, fx.users.url, {}, { listenPort: fx.shiftsPort });
    await fx.deactivateLeaver();
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/v1/shifts', payload: body, headers });
  const created = async (body: Record<string, unknown>) => {
    const res = await create(body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ShiftJson>();
  };
  const list = (q: Record<string, string | number | boolean>) =>
    t.app.inject({
      url: `/api/v1/shifts?${new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)])).toString()}`,
    });
  const listIds = async (q: Record<string, string | number | boolean>) => {
    const res = await list({ limit: 500, ...q });
    expect(res.statusCode, res.body).toBe(200);
    return res
      .json<PageJson>()
      .data.map((s) => s.id)
      .sort((a, b) => a - b);
  };
  const countRows = () => countShifts(t.database.db);

  describe('list window', () => {
    it('requires start[gte] and start[lt] (400 validation-failed naming start[gte])', async () => {
      const res = await t.app.inject({ url: '/api/v1/shifts' });
      const body = expectProblem(res, 400, 'validation-failed', 'start[gte]');
      expect((body.errors as Array<{ param: string }>).map((e) => e.param)).toEqual(
        expect.arrayContaining(['start[gte]', 'start[lt]']),
      );
      expectProblem(
        await list({ 'start[gte]': '2031-01-01T00:00:00Z' }),
        400,
        'validation-failed',
        'start[lt]',
      );
    });

    it('refuses a window wider than 42 days (422 window-too-wide) and accepts exactly 42', async () => {
      expectProblem(
        await list({ 'start[gte]': '2031-01-01T00:00:00Z', 'start[lt]': '2031-02-12T00:00:01Z' }),
        422,
        'window-too-wide',
        'start[lt]',
      );
      expect(
        (await list({ 'start[gte]': '2031-01-01T00:00:00Z', 'start[lt]': '2031-02-12T00:00:00Z' }))
          .statusCode,
      ).toBe(200);
    });

    it('refuses start[lt] before or equal to start[gte] with 422', async () => {
      expectProblem(
        await list({ 'start[gte]': '2031-01-10T00:00:00Z', 'start[lt]': '2031-01-09T00:00:00Z' }),
        422,
        'validation-failed',
        'start[lt]',
      );
      expectProblem(
        await list({ 'start[gte]': '2031-01-10T00:00:00Z', 'start[lt]': '2031-01-10T00:00:00Z' }),
        422,
        'validation-failed',
        'start[lt]',
      );
    });

    it('refuses a cursor it did not issue with 400 invalid-cursor', async () => {
      expectProblem(
        await list({
          'start[gte]': '2031-01-01T00:00:00Z',
          'start[lt]': '2031-01-02T00:00:00Z',
          cursor: 'bm9wZQ',
        }),
        400,
        'invalid-cursor',
        'cursor',
      );
    });
  });

  describe('list filters and names', () => {
    const d = day();
    const w = { 'start[gte]': d.from, 'start[lt]': d.to };
    let s: Record<'assigned' | 'open' | 'published' | 'otherLocation' | 'deleted' | 'outside', ShiftJson>;
    beforeAll(async () => {
      s = {
        assigned: await created({
          location_id: fx.locA,
          role_id: fx.roleA,
          user_id: fx.people[0],
          start: d.at(9),
          end: d.at(17),
        }),
        open: await created({ location_id: fx.locA, role_id: fx.roleA2, start: d.at(10), end: d.at(14) }),
        published: await created({
          location_id: fx.locA,
          role_id: fx.roleA,
          user_id: fx.people[1],
          start: d.at(11),
          end: d.at(19),
          status: 'published',
        }),
        otherLocation: await created({
          location_id: fx.locB,
          role_id: fx.roleB,
          user_id: fx.personB,
          start: d.at(12),
          end: d.at(20),
        }),
        deleted: await created({
          location_id: fx.locA,
          user_id: fx.people[2],
          start: d.at(13),
          end: d.at(21),
        }),
        outside: await created({
          location_id: fx.locA,
          user_id: fx.people[3],
          start: d.at(49),
          end: d.at(50),
        }),
      };
      expect(
        (await t.app.inject({ method: 'DELETE', url: `/api/v1/shifts/${s.deleted.id}` })).statusCode,
      ).toBe(204);
    });
    const ids = (...names: Array<keyof typeof s>) => names.map((n) => s[n].id).sort((a, b) => a - b);

    it('lists the live shifts starting in the window, any status by default', async () => {
      expect(await listIds(w)).toEqual(ids('assigned', 'open', 'published', 'otherLocation'));
      expect(await listIds({ ...w, status: 'all' })).toEqual(
        ids('assigned', 'open', 'published', 'otherLocation'),
      );
    });

    it('filters by location_id, user_id, role_id, open and status', async () => {
      expect(await listIds({ ...w, location_id: fx.locA })).toEqual(ids('assigned', 'open', 'published'));
      expect(await listIds({ ...w, location_id: fx.locB })).toEqual(ids('otherLocation'));
      expect(await listIds({ ...w, user_id: fx.people[0]! })).toEqual(ids('assigned'));
      expect(await listIds({ ...w, role_id: fx.roleA })).toEqual(ids('assigned', 'published'));
      expect(await listIds({ ...w, role_id: fx.roleA2 })).toEqual(ids('open'));
      expect(await listIds({ ...w, open: true })).toEqual(ids('open'));
      expect(await listIds({ ...w, open: false })).toEqual(ids('assigned', 'published', 'otherLocation'));
      expect(await listIds({ ...w, status: 'draft' })).toEqual(ids('assigned', 'open', 'otherLocation'));
      expect(await listIds({ ...w, status: 'published' })).toEqual(ids('published'));
      expect(await listIds({ ...w, location_id: fx.locA, status: 'draft', open: false })).toEqual(
        ids('assigned'),
      );
      expectProblem(await list({ ...w, status: 'cancelled' }), 400, 'validation-failed', 'status');
    });

    it('shows deleted shifts only with include_deleted=true', async () => {
      expect(await listIds({ ...w, include_deleted: true })).toEqual(
        ids('assigned', 'open', 'published', 'otherLocation', 'deleted'),
      );
      expect(await listIds({ ...w, include_deleted: false })).toEqual(
        ids('assigned', 'open', 'published', 'otherLocation'),
      );
    });

    it('gives each shift its assignee {id, first_name, last_name} from users, null for open shifts', async () => {
      const res = await list({ ...w, include_deleted: true });
      const page = res.json<PageJson>();
      expect(page.meta.degraded).toBeUndefined();
      for (const shift of page.data) {
        if (shift.user_id === null) {
          expect(shift.assignee).toBeNull();
        } else {
          expect(shift.assignee).toEqual({ id: shift.user_id, ...fx.names.get(shift.user_id) });
        }
      }
      const one = await t.app.inject({ url: `/api/v1/shifts/${s.assigned.id}` });
      expect(one.statusCode).toBe(200);
      expect(one.headers.etag).toBe('"1"');
      expect(one.json<ShiftJson>().assignee).toEqual({ id: fx.people[0], ...fx.names.get(fx.people[0]!) });
    });

    it("deactivating a person (in users) opens their future shifts here, and users' answer says which", async () => {
      const d2 = day();
      const [id] = await fx.morePeople(1, `Leaver${kind}`);
      const shift = await created({ location_id: fx.locA, user_id: id, start: d2.at(9), end: d2.at(17) });
      const other = await created({
        location_id: fx.locA,
        user_id: fx.people[1],
        start: d2.at(9),
        end: d2.at(17),
      });
      const res = await fetch(`${fx.users.url}/api/v1/users/${id}`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json', 'if-match': '"1"', ...(await bearer(TEST_ADMIN)) },
        body: '{}',
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id, active: false, opened_shift_ids: [shift.id] });
      const page = (await list({ 'start[gte]': d2.from, 'start[lt]': d2.to })).json<PageJson>();
      expect(page.data.map((x) => [x.id, x.user_id]).sort()).toEqual(
        [
          [shift.id, null],
          [other.id, fx.people[1]],
        ].sort(),
      );
    });

    it('answers 404 not-found for a shift that does not exist', async () => {
      expectProblem(await t.app.inject({ url: '/api/v1/shifts/987654' }), 404, 'not-found');
    });
  });

  describe('names: one batched users call per page, cached', () => {
    it('calls GET /api/v1/users once for a page of many assignees, and not at all right after', async () => {
      const d = day();
      const extra = await fx.morePeople(12, `Batch${kind}`);
      for (const id of extra)
        await created({ location_id: fx.locA, user_id: id, start: d.at(8), end: d.at(16) });
      const usersCount = async () =>
        metricValue(
          await (await fetch(`${fx.users.adminUrl}/metrics`)).text(),
          'http_request_duration_seconds_count',
          {
            method: 'GET',
            route: '/api/v1/users',
          },
        );
      const upstreamOk = async () =>
        metricValue(await t.metrics.registry.metrics(), 'upstream_request_duration_seconds_count', {
          upstream: 'users',
          outcome: 'ok',
        });
      const settle = async (want: number) => {
        // the users process records the request after answering it: wait (bounded) until it shows up
        for (let i = 0; i < 25 && (await usersCount()) < want; i++)
          await new Promise((r) => setTimeout(r, 100));
        return usersCount();
      };

      const before = await usersCount();
      const upBefore = await upstreamOk();
      const res = await list({ 'start[gte]': d.from, 'start[lt]': d.to, limit: 500 });
      expect(res.statusCode).toBe(200);
      const page = res.json<PageJson>();
      expect(page.data).toHaveLength(12);
      expect(page.meta.degraded).toBeUndefined();
      for (const shift of page.data)
        expect(shift.assignee).toEqual({ id: shift.user_id, ...fx.names.get(shift.user_id!) });
      expect(await settle(before + 1)).toBe(before + 1);
      expect(await upstreamOk()).toBe(upBefore + 1);

      const again = await list({ 'start[gte]': d.from, 'start[lt]': d.to, limit: 500 });
      expect(again.json<PageJson>().data.every((x) => x.assignee !== null)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(await usersCount()).toBe(before + 1);
      expect(await upstreamOk()).toBe(upBefore + 1);
    });
  });

  describe('create', () => {
    it('answers 201 with Location and ETag, a draft by default, in the location time zone', async () => {
      const d = day();
      const res = await create({
        location_id: fx.locA,
        role_id: fx.roleA,
        user_id: fx.people[0],
        start: d.at(9),
        end: d.at(17),
        break_minutes: 30,
        notes: 'hi',
      });
      expect(res.statusCode).toBe(201);
      const s = res.json<ShiftJson>();
      expect(res.headers.location).toBe(`/api/v1/shifts/${s.id}`);
      expect(res.headers.etag).toBe('"1"');
      expect(s).toMatchObject({
        status: 'draft',
        published_at: null,
        deleted_at: null,
        version: 1,
        timezone: 'America/Toronto',
        start: d.at(9),
        end: d.at(17),
      });
      const b = await created({
        location_id: fx.locB,
        user_id: fx.personB,
        start: d.at(9),
        end: d.at(17),
        status: 'published',
      });
      expect(b.timezone).toBe('America/Vancouver');
      expect(b.status).toBe('published');
      expect(b.published_at).not.toBeNull();
    });

    it('refuses an overlap for one person with 409 shift-overlap naming the existing shift', async () => {
      const d = day();
      const p = fx.people[1]!;
      const first = await created({ location_id: fx.locA, user_id: p, start: d.at(9), end: d.at(17) });
      const before = await countRows();
      const res = await create({ location_id: fx.locA, user_id: p, start: d.at(12), end: d.at(20) });
      const body = expectProblem(res, 409, 'shift-overlap');
      expect(body.conflicting_shift_ids).toEqual([first.id]);
      expect(body.conflicts).toEqual([{ id: first.id, user_id: p, start: d.at(9), end: d.at(17) }]);
      expect(await countRows()).toBe(before);
      // contained and containing windows too
      expectProblem(
        await create({ location_id: fx.locA, user_id: p, start: d.at(10), end: d.at(11) }),
        409,
        'shift-overlap',
      );
      expectProblem(
        await create({ location_id: fx.locA, user_id: p, start: d.at(8), end: d.at(18) }),
        409,
        'shift-overlap',
      );
    });

    it('allows back-to-back shifts, other people at the same time, and open shifts at any time', async () => {
      const d = day();
      const p = fx.people[2]!;
      await created({ location_id: fx.locA, user_id: p, start: d.at(9), end: d.at(17) });
      await created({ location_id: fx.locA, user_id: p, start: d.at(17), end: d.at(21) });
      await created({ location_id: fx.locA, user_id: p, start: d.at(5), end: d.at(9) });
      await created({ location_id: fx.locA, user_id: fx.people[3], start: d.at(9), end: d.at(17) });
      await created({ location_id: fx.locA, start: d.at(9), end: d.at(17) });
      await created({ location_id: fx.locA, user_id: null, start: d.at(9), end: d.at(17) });
    });

    it('refuses a PATCH or DELETE without If-Match (428 precondition-required), and changes nothing', async () => {
      const d = day();
      const shift = await created({ location_id: fx.locA, start: d.at(9), end: d.at(17) });
      for (const method of ['PATCH', 'DELETE'] as const) {
        const blind = await t.app.inject({
          method,
          url: `/api/v1/shifts/${shift.id}`,
          headers: WITHOUT_IF_MATCH,
          ...(method === 'PATCH' ? { payload: { end: d.at(18) } } : {}),
        });
        expectProblem(blind, 428, 'precondition-required', 'If-Match');
      }
      const after = await t.app.inject({ url: `/api/v1/shifts/${shift.id}` });
      expect(after.json<ShiftJson>()).toMatchObject({
        end: shift.end,
        version: shift.version,
        deleted_at: null,
      });
    });

    it('lets a deleted shift stop conflicting', async () => {
      const d = day();
      const p = fx.people[4]!;
      const first = await created({ location_id: fx.locA, user_id: p, start: d.at(9), end: d.at(17) });
      expectProblem(
        await create({ location_id: fx.locA, user_id: p, start: d.at(9), end: d.at(17) }),
        409,
        'shift-overlap',
      );
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/shifts/${first.id}` })).statusCode).toBe(
        204,
      );
      await created({ location_id: fx.locA, user_id: p, start: d.at(9), end: d.at(17) });
    });

    it.each([2, 5])(
      'lets exactly one of %i concurrent overlapping creates for one person win, several rounds',
      async (n) => {
        for (let round = 0; round < 3; round++) {
          const d = day();
          const p = fx.people[5 + (round % 3)]!;
          const results = await Promise.all(
            Array.from({ length: n }, (_, i) =>
              create({ location_id: fx.locA, user_id: p, start: d.at(8, i * 7), end: d.at(16, i * 7) }),
            ),
          );
          const wins = results.filter((r) => r.statusCode === 201);
          expect(
            wins.map((r) => r.statusCode),
            results.map((r) => r.body).join('\n'),
          ).toHaveLength(1);
          const winner = wins[0]!.json<ShiftJson>();
          for (const r of results.filter((x) => x.statusCode !== 201)) {
            const body = expectProblem(r, 409, 'shift-overlap');
            expect(body.conflicting_shift_ids).toEqual([winner.id]);
          }
          const rows = await t.database.db
            .selectFrom('shifts')
            .select('id')
            .where('user_id', '=', p)
            .where('start_at', '>=', new Date(d.from).toISOString())
            .where('start_at', '<', new Date(d.to).toISOString())
            .execute();
          expect(rows.map((r) => r.id)).toEqual([winner.id]);
        }
      },
    );
  });

  describe('validation', () => {
    const d = day();
    const base = { location_id: 0, start: d.at(9), end: d.at(17) };
    beforeAll(() => {
      base.location_id = fx.locA;
    });
    const refused = async (body: Record<string, unknown>, status: number, code: string, param?: string) => {
      const before = await countRows();
      const res = await create({ ...base, ...body });
      const problem = expectProblem(res, status, code, param);
      expect(await countRows()).toBe(before);
      return problem;
    };

    it('checks times and the break: end after start, at most 24 h, break shorter than the shift', async () => {
      await refused({ end: d.at(9) }, 422, 'validation-failed', 'end');
      await refused({ end: d.at(8) }, 422, 'validation-failed', 'end');
      await refused({ end: d.at(34) }, 422, 'validation-failed', 'end');
      await refused({ break_minutes: 480 }, 422, 'validation-failed', 'break_minutes');
      await refused({ break_minutes: 721 }, 400, 'validation-failed', 'break_minutes');
      await refused({ start: 'tomorrow' }, 400, 'validation-failed', 'start');
      await created({ ...base, end: d.at(33), break_minutes: 479 }); // exactly 24 h, open shift
    });

    it('limits notes to 1000 characters (400) and refuses unknown fields', async () => {
      await refused({ notes: 'x'.repeat(1001) }, 400, 'validation-failed', 'notes');
      await refused({ colour: 'red' }, 400, 'validation-failed', 'colour');
      await created({ ...base, start: d.at(20), end: d.at(21), notes: 'x'.repeat(1000) });
    });

    it('checks the assignee, location and role with the users service', async () => {
      await refused({ user_id: 987654 }, 422, 'unknown-assignee', 'user_id');
      await refused({ user_id: fx.inactive }, 422, 'inactive-assignee', 'user_id');
      await refused({ user_id: fx.personB }, 422, 'assignee-not-at-location', 'user_id');
      await refused({ location_id: 987654 }, 422, 'unknown-location', 'location_id');
      await refused({ role_id: fx.roleB }, 422, 'unknown-role', 'role_id');
      await refused({ role_id: 987654 }, 422, 'unknown-role', 'role_id');
      await refused(
        { location_id: fx.locB, role_id: fx.roleA, user_id: fx.personB },
        422,
        'unknown-role',
        'role_id',
      );
    });

    it('refuses a shift whose role the assignee does not have, naming both (422 assignee-lacks-role)', async () => {
      const onlyBarista = (
        await call<{ id: number }>(fx.users.url, 'POST', '/api/v1/users', {
          first_name: 'Only',
          last_name: `Barista${kind}`,
          location_ids: [fx.locA],
          role_ids: [fx.roleA],
        })
      ).id;
      const problem = await refused(
        { user_id: onlyBarista, role_id: fx.roleA2, start: d.at(18), end: d.at(19) },
        422,
        'assignee-lacks-role',
        'role_id',
      );
      expect(String(problem.detail)).toContain(`Only Barista${kind}`);
      expect(String(problem.detail)).toContain('Cook');
      await created({ ...base, user_id: onlyBarista, role_id: fx.roleA, start: d.at(18), end: d.at(19) });
    });
  });

  describe('patch and delete', () => {
    it('moves a shift, with If-Match, and refuses a stale If-Match with 412', async () => {
      const d = day();
      const s = await created({ location_id: fx.locA, user_id: fx.people[0], start: d.at(9), end: d.at(17) });
      const moved = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${s.id}`,
        headers: { 'if-match': '"1"' },
        payload: { start: d.at(10), end: d.at(18) },
      });
      expect(moved.statusCode, moved.body).toBe(200);
      expect(moved.headers.etag).toBe('"2"');
      expect(moved.json<ShiftJson>()).toMatchObject({
        start: d.at(10),
        end: d.at(18),
        version: 2,
        user_id: fx.people[0],
      });
      const stale = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${s.id}`,
        headers: { 'if-match': '"1"' },
        payload: { start: d.at(11) },
      });
      const body = expectProblem(stale, 412, 'version-mismatch', 'If-Match');
      expect(body.current_version).toBe(2);
      expect(stale.headers.etag).toBe('"2"');
      expectProblem(
        await t.app.inject({
          method: 'PATCH',
          url: `/api/v1/shifts/${s.id}`,
          headers: { 'if-match': 'two' },
          payload: { start: d.at(11) },
        }),
        400,
        'validation-failed',
        'If-Match',
      );
      expectProblem(
        await t.app.inject({ method: 'PATCH', url: `/api/v1/shifts/${s.id}`, payload: { end: d.at(10) } }),
        422,
        'validation-failed',
        'end',
      );
      expectProblem(
        await t.app.inject({ method: 'PATCH', url: `/api/v1/shifts/${s.id}`, payload: {} }),
        400,
        'validation-failed',
      );
      expect((await t.app.inject({ url: `/api/v1/shifts/${s.id}` })).json<ShiftJson>().start).toBe(d.at(10));
    });

    it('assigns an open shift, unassigns it, and changes its role', async () => {
      const d = day();
      const s = await created({ location_id: fx.locA, role_id: fx.roleA, start: d.at(9), end: d.at(13) });
      const patch = (payload: Record<string, unknown>) =>
        t.app.inject({ method: 'PATCH', url: `/api/v1/shifts/${s.id}`, payload });
      const assigned = await patch({ user_id: fx.people[1] });
      expect(assigned.statusCode, assigned.body).toBe(200);
      expect(assigned.json<ShiftJson>().user_id).toBe(fx.people[1]);
      expect(await listIds({ 'start[gte]': d.from, 'start[lt]': d.to, open: true })).toEqual([]);
      const unassigned = await patch({ user_id: null });
      expect(unassigned.statusCode).toBe(200);
      expect(unassigned.json<ShiftJson>().user_id).toBeNull();
      expect(await listIds({ 'start[gte]': d.from, 'start[lt]': d.to, open: true })).toEqual([s.id]);
      const role = await patch({ role_id: fx.roleA2 });
      expect(role.statusCode).toBe(200);
      expect(role.json<ShiftJson>().role_id).toBe(fx.roleA2);
      expectProblem(await patch({ role_id: fx.roleB }), 422, 'unknown-role', 'role_id');
      expectProblem(await patch({ user_id: fx.inactive }), 422, 'inactive-assignee', 'user_id');
      expectProblem(await patch({ user_id: fx.personB }), 422, 'assignee-not-at-location', 'user_id');
      expectProblem(await patch({ user_id: 987654 }), 422, 'unknown-assignee', 'user_id');
      const after = (await t.app.inject({ url: `/api/v1/shifts/${s.id}` })).json<ShiftJson>();
      expect(after).toMatchObject({ user_id: null, role_id: fx.roleA2, version: 4 });
    });

    it('refuses moving or assigning onto another shift of the same person with 409 shift-overlap', async () => {
      const d = day();
      const p = fx.people[2]!;
      const a = await created({ location_id: fx.locA, user_id: p, start: d.at(9), end: d.at(13) });
      const b = await created({ location_id: fx.locA, user_id: p, start: d.at(14), end: d.at(18) });
      const moved = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${b.id}`,
        payload: { start: d.at(12) },
      });
      expect(expectProblem(moved, 409, 'shift-overlap').conflicting_shift_ids).toEqual([a.id]);
      const open = await created({ location_id: fx.locA, start: d.at(10), end: d.at(11) });
      const assign = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${open.id}`,
        payload: { user_id: p },
      });
      expect(expectProblem(assign, 409, 'shift-overlap').conflicting_shift_ids).toEqual([a.id]);
      // touching is fine
      expect(
        (await t.app.inject({ method: 'PATCH', url: `/api/v1/shifts/${b.id}`, payload: { start: d.at(13) } }))
          .statusCode,
      ).toBe(200);
    });

    it('deletes softly: 204, readable with deleted_at, hidden from lists, twice is fine, and then unchangeable', async () => {
      const d = day();
      const s = await created({ location_id: fx.locA, user_id: fx.people[3], start: d.at(9), end: d.at(17) });
      const del = await t.app.inject({ method: 'DELETE', url: `/api/v1/shifts/${s.id}` });
      expect(del.statusCode).toBe(204);
      expect(del.body).toBe('');
      const read = (await t.app.inject({ url: `/api/v1/shifts/${s.id}` })).json<ShiftJson>();
      expect(read.deleted_at).not.toBeNull();
      const w = { 'start[gte]': d.from, 'start[lt]': d.to };
      expect(await listIds(w)).toEqual([]);
      expect(await listIds({ ...w, include_deleted: true })).toEqual([s.id]);
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/shifts/${s.id}` })).statusCode).toBe(204);
      expectProblem(
        await t.app.inject({ method: 'PATCH', url: `/api/v1/shifts/${s.id}`, payload: { notes: 'x' } }),
        409,
        'shift-deleted',
      );
      expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/v1/shifts/987654' }), 404, 'not-found');
      expectProblem(
        await t.app.inject({ method: 'PATCH', url: '/api/v1/shifts/987654', payload: { notes: 'x' } }),
        404,
        'not-found',
      );
    });

    it('refuses DELETE with a stale If-Match', async () => {
      const d = day();
      const s = await created({ location_id: fx.locA, start: d.at(9), end: d.at(17) });
      await t.app.inject({ method: 'PATCH', url: `/api/v1/shifts/${s.id}`, payload: { notes: 'v2' } });
      expectProblem(
        await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/shifts/${s.id}`,
          headers: { 'if-match': '"1"' },
        }),
        412,
        'version-mismatch',
      );
      expect(
        (
          await t.app.inject({
            method: 'DELETE',
            url: `/api/v1/shifts/${s.id}`,
            headers: { 'if-match': '"2"' },
          })
        ).statusCode,
      ).toBe(204);
    });
  });

  describe('idempotency', () => {
    it('replays the same key and body as the same shift, one row; another body with the key is 422', async () => {
      const d = day();
      const body = { location_id: fx.locA, user_id: fx.people[4], start: d.at(9), end: d.at(17) };
      const key = `key-${kind}-${Date.now()}`;
      const first = await create(body, { 'idempotency-key': key });
      expect(first.statusCode, first.body).toBe(201);
      const again = await create(body, { 'idempotency-key': key });
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json<ShiftJson>().id).toBe(first.json<ShiftJson>().id);
      expect(again.headers.location).toBe(first.headers.location);
      const rows = await t.database.db
        .selectFrom('shifts')
        .select('id')
        .where('start_at', '=', new Date(d.at(9)).toISOString())
        .execute();
      expect(rows).toHaveLength(1);
      expectProblem(
        await create({ ...body, end: d.at(16) }, { 'idempotency-key': key }),
        422,
        'idempotency-key-reused',
        'Idempotency-Key',
      );
      expectProblem(
        await create(body, { 'idempotency-key': 'bad key with spaces' }),
        400,
        'validation-failed',
        'Idempotency-Key',
      );
    });
  });

  describe('publish', () => {
    /** A draft assigned to the leaver, written straight to the table (the API would refuse it). */
    const leaversDraft = async (d: ReturnType<typeof day>) =>
      t.database.db
        .insertInto('shifts')
        .values({
          location_id: fx.locA,
          user_id: fx.inactive,
          start_at: new Date(d.at(9)),
          end_at: new Date(d.at(17)),
          timezone: 'UTC',
        })
        .returning('id')
        .executeTakeFirstOrThrow();

    it('never publishes a draft assigned to someone inactive: it stays a draft, listed as held back', async () => {
      const d = day();
      const left = await leaversDraft(d);
      const fine = await created({
        location_id: fx.locA,
        user_id: fx.people[0],
        start: d.at(9),
        end: d.at(17),
      });
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/shifts/publish',
        payload: { location_id: fx.locA, start: d.from, end: d.to },
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ shift_ids: [fine.id], held_back_shift_ids: [left.id] });
      expect((await t.app.inject({ url: `/api/v1/shifts/${left.id}` })).json()).toMatchObject({
        status: 'draft',
      });
    });

    it('publishing one draft by PATCH follows the same rule: not to someone inactive (422), nothing changes', async () => {
      const d = day();
      const left = await leaversDraft(d);
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${left.id}`,
        payload: { status: 'published' },
      });
      expectProblem(res, 422, 'inactive-assignee', 'user_id');
      expect((await t.app.inject({ url: `/api/v1/shifts/${left.id}` })).json()).toMatchObject({
        status: 'draft',
        version: 1,
      });
    });

    it("publishes only that location's live drafts starting in [start, end), once", async () => {
      const d = day();
      const win = { start: d.at(6), end: d.at(30) };
      const draft1 = await created({
        location_id: fx.locA,
        user_id: fx.people[0],
        start: d.at(6),
        end: d.at(14),
      });
      const draft2 = await created({ location_id: fx.locA, start: d.at(29, 59), end: d.at(33) });
      const atEnd = await created({ location_id: fx.locA, start: d.at(30), end: d.at(34) });
      const before = await created({ location_id: fx.locA, start: d.at(5, 59), end: d.at(10) });
      const otherLoc = await created({
        location_id: fx.locB,
        user_id: fx.personB,
        start: d.at(9),
        end: d.at(17),
      });
      const already = await created({
        location_id: fx.locA,
        user_id: fx.people[1],
        start: d.at(9),
        end: d.at(17),
        status: 'published',
      });
      const deleted = await created({ location_id: fx.locA, start: d.at(9), end: d.at(17) });
      await t.app.inject({ method: 'DELETE', url: `/api/v1/shifts/${deleted.id}` });

      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/shifts/publish',
        payload: { location_id: fx.locA, ...win },
      });
      expect(res.statusCode, res.body).toBe(200);
      const result = res.json<{ published_count: number; shift_ids: number[]; location_id: number }>();
      expect(result).toMatchObject({
        location_id: fx.locA,
        published_count: 2,
        shift_ids: [draft1.id, draft2.id].sort((a, b) => a - b),
      });

      const get = async (id: number) =>
        (await t.app.inject({ url: `/api/v1/shifts/${id}` })).json<ShiftJson>();
      for (const id of [draft1.id, draft2.id]) {
        const s = await get(id);
        expect(s.status).toBe('published');
        expect(s.published_at).not.toBeNull();
        expect(s.version).toBe(2);
      }
      for (const s of [atEnd, before, otherLoc, deleted])
        expect(await get(s.id)).toMatchObject({ status: 'draft', published_at: null });
      expect(await get(already.id)).toMatchObject({
        status: 'published',
        published_at: already.published_at,
        version: 1,
      });

      const again = await t.app.inject({
        method: 'POST',
        url: '/api/v1/shifts/publish',
        payload: { location_id: fx.locA, ...win },
      });
      expect(again.json()).toMatchObject({ published_count: 0, shift_ids: [] });
    });

    it('validates the publish window', async () => {
      const publish = (payload: Record<string, unknown>) =>
        t.app.inject({ method: 'POST', url: '/api/v1/shifts/publish', payload });
      expectProblem(
        await publish({ location_id: fx.locA, start: '2031-01-01T00:00:00Z', end: '2031-03-01T00:00:00Z' }),
        422,
        'window-too-wide',
        'end',
      );
      expectProblem(
        await publish({ location_id: fx.locA, start: '2031-01-02T00:00:00Z', end: '2031-01-01T00:00:00Z' }),
        422,
        'validation-failed',
        'end',
      );
      expectProblem(
        await publish({ location_id: fx.locA, start: '2031-01-01T00:00:00Z' }),
        400,
        'validation-failed',
        'end',
      );
    });
  });
});
