// The warnings before publishing (GET /api/v1/shifts/warnings) against the REAL users service, on PGlite
// and PostgreSQL: overtime past the location's line, too little rest between two shifts, a shift whose
// role its assignee no longer has. The fixture's Toronto location keeps the defaults: 40 h and 11 h.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { buildTestShiftsApp } from './harness';
import { call, expectProblem, metricValue, startUsersFixture, type UsersFixture } from './users-fixture';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

interface WarningJson {
  kind: string;
  user_id: number;
  shift_ids: number[];
  detail: string;
  hours?: number;
  limit_hours?: number;
}

let fx: UsersFixture;
beforeAll(async () => {
  fx = await startUsersFixture(4);
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

const nameOf = (id: number) => `${fx.names.get(id)!.first_name} ${fx.names.get(id)!.last_name}`;

describeOnDatabases('warnings before publishing on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  beforeAll(async () => {
    t = await buildTestShiftsApp(kind, fx.users.url);
  });
  afterAll(async () => {
    await t?.close();
  });

  const shift = async (v: {
    user_id: number;
    start: string;
    hours: number;
    break_minutes?: number;
    role_id?: number;
    location_id?: number;
  }) => {
    const start = new Date(v.start);
    const row = await t.database.db
      .insertInto('shifts')
      .values({
        location_id: v.location_id ?? fx.locA,
        user_id: v.user_id,
        role_id: v.role_id ?? null,
        start_at: start,
        end_at: new Date(start.getTime() + v.hours * 3_600_000),
        timezone: 'America/Toronto',
        break_minutes: v.break_minutes ?? 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const warnings = async (start: string, end: string, location_id = fx.locA) => {
    const res = await t.app.inject({
      url: `/api/v1/shifts/warnings?location_id=${location_id}&start=${start}&end=${end}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ warnings: WarningJson[] }>().warnings;
  };

  it('asks users a fixed number of times for a week, however many people it has (batched, not one call each)', async () => {
    const calls = async () =>
      metricValue(await t.metrics.registry.metrics(), 'upstream_request_duration_seconds_count', {
        upstream: 'users',
      });
    const week = async (people: number[], day: string) => {
      for (const [i, user_id] of people.entries())
        await shift({ user_id, start: `${day}T${String(8 + i).padStart(2, '0')}:00:00Z`, hours: 1 });
      const before = await calls();
      await warnings(`${day}T00:00:00Z`, `${day}T23:00:00Z`);
      return (await calls()) - before;
    };
    const few = await week(await fx.morePeople(2, 'Few'), '2035-09-03');
    const many = await week(await fx.morePeople(10, 'Many'), '2035-09-10');
    // The first week also fetched the location (cached afterwards): never more calls for more people.
    expect(many, `${few} calls for 2 people, ${many} for 10`).toBeLessThanOrEqual(few);
    expect(many).toBeLessThanOrEqual(3);
  });

  it("warns about paid hours past the location's overtime line, counting every location, and not at the line", async () => {
    const [busy, fine] = [fx.people[0]!, fx.people[1]!];
    const ids: number[] = [];
    // Five 9 h shifts with 30 min breaks, the last at the other location: 42.5 paid hours.
    for (let d = 0; d < 5; d++)
      ids.push(
        await shift({
          user_id: busy,
          start: `2033-01-0${3 + d}T13:00:00Z`,
          hours: 9,
          break_minutes: 30,
          location_id: d === 4 ? fx.locB : fx.locA,
        }),
      );
    // Exactly 40: five 8 h shifts, no warning.
    for (let d = 0; d < 5; d++)
      await shift({ user_id: fine, start: `2033-01-0${3 + d}T13:00:00Z`, hours: 8 });
    const found = await warnings('2033-01-03T05:00:00Z', '2033-01-10T05:00:00Z');
    expect(found).toEqual([
      {
        kind: 'overtime',
        user_id: busy,
        shift_ids: ids,
        hours: 42.5,
        limit_hours: 40,
        detail: `${nameOf(busy)} works 42.5 h this week, past Toronto Store's overtime line of 40 h.`,
      },
    ]);
  });

  it('warns about less rest than the minimum between two shifts, also when one is elsewhere', async () => {
    const p = fx.people[2]!;
    const late = await shift({ user_id: p, start: '2033-02-07T20:00:00Z', hours: 8 }); // ends 04:00Z
    const early = await shift({ user_id: p, start: '2033-02-08T12:00:00Z', hours: 6 }); // 8 h later
    const third = await shift({ user_id: p, start: '2033-02-09T12:00:00Z', hours: 6 }); // 18 h later
    const found = await warnings('2033-02-07T05:00:00Z', '2033-02-14T05:00:00Z');
    expect(found).toEqual([
      expect.objectContaining({
        kind: 'short-rest',
        user_id: p,
        shift_ids: [late, early],
        hours: 8,
        limit_hours: 11,
      }),
    ]);
    expect(found[0]!.detail).toBe(
      `${nameOf(p)} has 8 h of rest between two shifts; Toronto Store asks for at least 11 h.`,
    );
    expect(third).toBeGreaterThan(early);
  });

  it('warns about a shift whose role its assignee no longer has', async () => {
    const [p] = await fx.morePeople(1, `Roleless${kind}`);
    const cook = await shift({ user_id: p!, start: '2033-03-08T13:00:00Z', hours: 8, role_id: fx.roleA2 });
    await shift({ user_id: p!, start: '2033-03-09T13:00:00Z', hours: 8, role_id: fx.roleA });
    await call(fx.users.url, 'PATCH', `/api/v1/users/${p}`, { role_ids: [fx.roleA] }, { 'if-match': '"1"' });
    const found = await warnings('2033-03-07T05:00:00Z', '2033-03-14T05:00:00Z');
    expect(found).toEqual([expect.objectContaining({ kind: 'missing-role', user_id: p, shift_ids: [cook] })]);
  });

  it('answers an empty list for a calm week, and refuses a bad window', async () => {
    expect(await warnings('2034-01-02T05:00:00Z', '2034-01-09T05:00:00Z')).toEqual([]);
    expectProblem(
      await t.app.inject({
        url: `/api/v1/shifts/warnings?location_id=${fx.locA}&start=2034-01-09T05:00:00Z&end=2034-01-02T05:00:00Z`,
      }),
      422,
      'validation-failed',
      'end',
    );
    expectProblem(
      await t.app.inject({ url: `/api/v1/shifts/warnings?location_id=${fx.locA}` }),
      400,
      'validation-failed',
    );
  });
});
