// Copying a week (POST /api/v1/shifts/copy-week) against the REAL users service, on PGlite and PostgreSQL:
// drafts on the same weekdays at the same local times (across a DST change), what was skipped and why,
// nothing twice, and one transaction.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { buildTestShiftsApp } from './harness';
import { countShifts, expectProblem, startUsersFixture, type UsersFixture } from './users-fixture';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

interface CopyJson {
  created_count: number;
  shift_ids: number[];
  skipped: Array<{ source_shift_id: number; reason: string; detail: string }>;
  opened: Array<{ source_shift_id: number; shift_id: number; user_id: number; detail: string }>;
}

let fx: UsersFixture;
beforeAll(async () => {
  fx = await startUsersFixture(4);
}, 120_000);
afterAll(async () => {
  await fx?.stop();
});

describeOnDatabases('copying a week on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  beforeAll(async () => {
    // Listening where users expects shifts, so the leaver's deactivation goes through.
    t = await buildTestShiftsApp(kind, fx.users.url, {}, { listenPort: fx.shiftsPort });
    await fx.deactivateLeaver();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A shift written straight to the table (so tests can also give one to someone who has left). */
  const shift = async (v: {
    user_id?: number | null;
    role_id?: number | null;
    start: string;
    end: string;
  }) => {
    const row = await t.database.db
      .insertInto('shifts')
      .values({
        location_id: fx.locA,
        user_id: v.user_id ?? null,
        role_id: v.role_id ?? null,
        start_at: new Date(v.start),
        end_at: new Date(v.end),
        timezone: 'America/Toronto',
        notes: 'Bring keys',
        break_minutes: 30,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const copy = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts/copy-week',
      payload: { location_id: fx.locA, ...body },
      headers,
    });
  const copied = async (body: Record<string, unknown>) => {
    const res = await copy(body);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<CopyJson>();
  };
  const get = async (id: number) =>
    (await t.app.inject({ url: `/api/v1/shifts/${id}` })).json<Record<string, unknown>>();

  it('copies every shift as a draft on the same weekday at the same local time, across a DST change', async () => {
    // Toronto moves its clocks on Sunday 2032-03-14: 09:00 is 14:00Z before and 13:00Z after.
    const [a, b] = [fx.people[0]!, fx.people[1]!];
    const morning = await shift({
      user_id: a,
      role_id: fx.roleA,
      start: '2032-03-02T14:00:00Z',
      end: '2032-03-02T22:00:00Z',
    });
    const open = await shift({
      role_id: fx.roleA2,
      start: '2032-03-05T23:00:00Z',
      end: '2032-03-06T07:00:00Z',
    });
    const sunday = await shift({ user_id: b, start: '2032-03-07T15:00:00Z', end: '2032-03-07T20:00:00Z' });
    const result = await copied({ from_week: '2032-03-01', to_week: '2032-03-15' });
    expect(result).toMatchObject({ created_count: 3, skipped: [], opened: [] });
    const copies = await Promise.all(result.shift_ids.map(get));
    expect(copies.map((c) => [c.user_id, c.role_id, c.start, c.end, c.status])).toEqual([
      [a, fx.roleA, '2032-03-16T13:00:00.000Z', '2032-03-16T21:00:00.000Z', 'draft'],
      [null, fx.roleA2, '2032-03-19T22:00:00.000Z', '2032-03-20T06:00:00.000Z', 'draft'],
      [b, null, '2032-03-21T14:00:00.000Z', '2032-03-21T19:00:00.000Z', 'draft'],
    ]);
    expect(copies[0]).toMatchObject({ notes: 'Bring keys', break_minutes: 30, timezone: 'America/Toronto' });
    // The source week is untouched.
    expect((await get(morning)).start).toBe('2032-03-02T14:00:00.000Z');
    expect([open, sunday]).toHaveLength(2);
  });

  it('copying again adds nothing: each shift is already there, and says so', async () => {
    const before = await countShifts(t.database.db);
    const again = await copied({ from_week: '2032-03-01', to_week: '2032-03-15' });
    expect(again.created_count).toBe(0);
    expect(again.skipped.map((s) => s.reason)).toEqual(['already-there', 'already-there', 'already-there']);
    expect(await countShifts(t.database.db)).toBe(before);
  });

  it('skips a shift its assignee could not work (they already work then), naming them; two identical open shifts stay two', async () => {
    const p = fx.people[2]!;
    const source = await shift({ user_id: p, start: '2032-04-06T13:00:00Z', end: '2032-04-06T21:00:00Z' });
    await shift({ start: '2032-04-07T13:00:00Z', end: '2032-04-07T21:00:00Z' });
    await shift({ start: '2032-04-07T13:00:00Z', end: '2032-04-07T21:00:00Z' });
    const busy = await shift({ user_id: p, start: '2032-04-13T12:00:00Z', end: '2032-04-13T16:00:00Z' });
    const result = await copied({ from_week: '2032-04-05', to_week: '2032-04-12' });
    expect(result.created_count).toBe(2);
    expect(result.skipped).toEqual([
      {
        source_shift_id: source,
        reason: 'overlap',
        detail: `${fx.names.get(p)!.first_name} ${fx.names.get(p)!.last_name} already works on 2032-04-13 at 09:00.`,
      },
    ]);
    expect(busy).toBeGreaterThan(0);
  });

  it("copies only the roles asked for; a leaver's shift is copied open and listed", async () => {
    await shift({
      user_id: fx.inactive,
      role_id: fx.roleA,
      start: '2032-05-04T13:00:00Z',
      end: '2032-05-04T21:00:00Z',
    });
    await shift({
      user_id: fx.people[3]!,
      role_id: fx.roleA2,
      start: '2032-05-04T13:00:00Z',
      end: '2032-05-04T21:00:00Z',
    });
    const leaver = await t.app.inject({
      url: `/api/v1/shifts?start[gte]=2032-05-03T00:00:00Z&start[lt]=2032-05-10T00:00:00Z&role_id=${fx.roleA}`,
    });
    expect(leaver.json<{ data: unknown[] }>().data).toHaveLength(1);
    const result = await copied({ from_week: '2032-05-03', to_week: '2032-05-10', role_ids: [fx.roleA] });
    expect(result.created_count).toBe(1);
    const [copy] = await Promise.all(result.shift_ids.map(get));
    expect(copy).toMatchObject({ role_id: fx.roleA, status: 'draft' });
    expect(copy!.user_id).toBeNull();
    expect(result.opened).toEqual([
      expect.objectContaining({
        user_id: fx.inactive,
        shift_id: copy!.id,
        detail: expect.stringContaining('no longer active'),
      }),
    ]);
  });

  it('replays the first answer for a repeated Idempotency-Key', async () => {
    await shift({ start: '2032-06-08T13:00:00Z', end: '2032-06-08T21:00:00Z' });
    const headers = { 'idempotency-key': `copy-${kind}-june` };
    const first = await copy({ from_week: '2032-06-07', to_week: '2032-06-14' }, headers);
    const second = await copy({ from_week: '2032-06-07', to_week: '2032-06-14' }, headers);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(first.json<CopyJson>().created_count).toBe(1);
  });

  it('refuses a week that does not start on Monday, the same week twice, and writes nothing', async () => {
    const before = await countShifts(t.database.db);
    expectProblem(
      await copy({ from_week: '2032-03-02', to_week: '2032-03-15' }),
      400,
      'validation-failed',
      'from_week',
    );
    expectProblem(
      await copy({ from_week: '2032-03-01', to_week: '2032-03-01' }),
      400,
      'validation-failed',
      'to_week',
    );
    expectProblem(
      await copy({ from_week: '2032-02-30', to_week: '2032-03-15' }),
      400,
      'validation-failed',
      'from_week',
    );
    expectProblem(
      await copy({ location_id: 999999, from_week: '2032-03-01', to_week: '2032-03-15' }),
      422,
      'unknown-location',
    );
    expect(await countShifts(t.database.db)).toBe(before);
  });
});
