// Time off and availability as the shifts service uses them, against the REAL users service, on PGlite and
// PostgreSQL: no shift for someone on approved time off (created, moved onto it, or copied over it), a
// requested one does not count; a shift outside the availability someone gave is a warning, not a refusal.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { buildTestShiftsApp } from './harness';
import { call, countShifts, expectProblem, startUsersFixture, type UsersFixture } from './users-fixture';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

let fx: UsersFixture;
let onLeave: number;
let asked: number;
let daytime: number;
beforeAll(async () => {
  fx = await startUsersFixture(2);
  [onLeave, asked, daytime] = (await fx.morePeople(3, 'Leave')) as [number, number, number];
  // onLeave: approved time off Tue 2033-05-10 to Wed 2033-05-11; asked: only requested, the same days.
  for (const [who, approve] of [
    [onLeave, true],
    [asked, false],
  ] as const) {
    const leave = await call<{ id: number }>(fx.users.url, 'POST', '/api/v1/time-off', {
      user_id: who,
      start_date: '2033-05-10',
      end_date: '2033-05-11',
    });
    if (approve)
      await call(
        fx.users.url,
        'PATCH',
        `/api/v1/time-off/${leave.id}`,
        { status: 'approved' },
        { 'if-match': '"1"' },
      );
  }
  // daytime: weekdays 08:00-18:00 only.
  await call(
    fx.users.url,
    'PUT',
    `/api/v1/users/${daytime}/availability`,
    { windows: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '18:00' })) },
    { 'if-match': '"1"' },
  );
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

describeOnDatabases('time off and availability in shifts on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  beforeAll(async () => {
    t = await buildTestShiftsApp(kind, fx.users.url);
  });
  afterAll(async () => {
    await t?.close();
  });

  const create = (user_id: number, start: string, end: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts',
      payload: { location_id: fx.locA, user_id, start, end },
    });

  it('refuses a shift on a day of approved time off (in the location’s zone), and writes nothing', async () => {
    const before = await countShifts(t.database.db);
    // 09:00-17:00 Toronto on Wednesday 11 May.
    const body = expectProblem(
      await create(onLeave, '2033-05-11T13:00:00Z', '2033-05-11T21:00:00Z'),
      422,
      'assignee-on-leave',
      'user_id',
    );
    expect(body.detail).toBe(
      'Leave0 Extra0 is on approved time off from 2033-05-10 to 2033-05-11: choose someone else or leave the shift open.',
    );
    // 20:00 Thursday 12 May in Toronto is 00:00Z on the 13th: the day that counts is Toronto's Thursday.
    expect((await create(onLeave, '2033-05-13T00:00:00Z', '2033-05-13T03:00:00Z')).statusCode).toBe(201);
    // Requested, not approved: no refusal.
    expect((await create(asked, '2033-05-11T13:00:00Z', '2033-05-11T21:00:00Z')).statusCode).toBe(201);
    expect(await countShifts(t.database.db)).toBe(before + 2);
  });

  it('refuses moving a shift onto approved time off, or giving it to someone on leave then', async () => {
    const res = await create(onLeave, '2033-05-16T13:00:00Z', '2033-05-16T21:00:00Z');
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<{ id: number }>().id;
    const patch = (payload: object, version: number) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${id}`,
        payload,
        headers: { 'if-match': `"${version}"` },
      });
    expectProblem(
      await patch({ start: '2033-05-10T13:00:00Z', end: '2033-05-10T21:00:00Z' }, 1),
      422,
      'assignee-on-leave',
    );
    const open = await create(fx.people[0]!, '2033-05-10T13:00:00Z', '2033-05-10T21:00:00Z');
    const openId = open.json<{ id: number }>().id;
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${openId}`,
        payload: { user_id: onLeave },
        headers: { 'if-match': '"1"' },
      }),
      422,
      'assignee-on-leave',
    );
  });

  it('copies a shift onto approved time off as an open shift, saying why', async () => {
    // Source week of 2033-05-02; Tuesday 3 May 09:00 Toronto -> Tuesday 10 May, a day off.
    await t.database.db
      .insertInto('shifts')
      .values({
        location_id: fx.locA,
        user_id: onLeave,
        start_at: new Date('2033-05-03T13:00:00Z'),
        end_at: new Date('2033-05-03T21:00:00Z'),
        timezone: 'America/Toronto',
      })
      .execute();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts/copy-week',
      payload: { location_id: fx.locA, from_week: '2033-05-02', to_week: '2033-05-09' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const opened = res.json<{ opened: Array<{ user_id: number; detail: string }> }>().opened;
    expect(opened).toContainEqual(
      expect.objectContaining({
        user_id: onLeave,
        detail: expect.stringContaining('is on approved time off then'),
      }),
    );
  });

  it('warns about a shift outside the availability someone gave, and not about one inside it', async () => {
    const inside = await create(daytime, '2033-06-06T13:00:00Z', '2033-06-06T21:00:00Z'); // Mon 09-17
    const saturday = await create(daytime, '2033-06-11T13:00:00Z', '2033-06-11T17:00:00Z'); // Sat
    const late = await create(daytime, '2033-06-07T20:00:00Z', '2033-06-08T02:00:00Z'); // Tue 16-22
    for (const r of [inside, saturday, late]) expect(r.statusCode, r.body).toBe(201);
    const res = await t.app.inject({
      url: `/api/v1/shifts/warnings?location_id=${fx.locA}&start=2033-06-06T04:00:00Z&end=2033-06-13T04:00:00Z`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const warnings = res.json<{ warnings: Array<{ kind: string; user_id: number; shift_ids: number[] }> }>()
      .warnings;
    expect(warnings.filter((w) => w.kind === 'outside-availability')).toEqual([
      expect.objectContaining({
        user_id: daytime,
        // In the order they start: Tuesday evening, then Saturday.
        shift_ids: [late.json<{ id: number }>().id, saturday.json<{ id: number }>().id],
      }),
    ]);
  });
});
