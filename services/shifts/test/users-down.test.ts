// When users cannot answer: writes that need it refuse with 503 upstream-unavailable and write nothing,
// and the circuit breaker opens and then fails fast. Two ways users is absent: a closed port from the start
// (nobody can be identified, so every API call answers 503), and a real users process stopped mid-way
// (people identified a moment before keep reading, with lists degraded: names null, meta.degraded).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { freePort } from '../../../scripts/lib/ports';
import { buildTestShiftsApp } from './harness';
import {
  countShifts,
  expectProblem,
  metricValue,
  startUsersFixture,
  type UsersFixture,
} from './users-fixture';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

interface PageJson {
  data: Array<{ id: number; user_id: number | null; assignee?: { first_name: string } | null }>;
  meta: { degraded?: boolean };
}

const window = { 'start[gte]': '2032-03-01T00:00:00Z', 'start[lt]': '2032-03-08T00:00:00Z' };
const listUrl = `/api/v1/shifts?${new URLSearchParams(window).toString()}`;

describeOnDatabases('users unreachable (closed port) on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  beforeAll(async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    // a long half-open delay keeps the circuit open for the whole describe block
    t = await buildTestShiftsApp(kind, closed, { timeoutMs: 500, breakerHalfOpenAfterMs: 600_000 });
    // rows written directly: the API cannot create assigned shifts without users
    await t.database.db
      .insertInto('shifts')
      .values([
        {
          location_id: 1,
          user_id: 7,
          start_at: new Date('2032-03-02T09:00:00Z'),
          end_at: new Date('2032-03-02T17:00:00Z'),
          timezone: 'UTC',
        },
        {
          location_id: 1,
          user_id: null,
          start_at: new Date('2032-03-02T10:00:00Z'),
          end_at: new Date('2032-03-02T12:00:00Z'),
          timezone: 'UTC',
        },
      ])
      .execute();
  });
  afterAll(async () => {
    await t?.close();
  });
  const rows = () => countShifts(t.database.db);
  const metrics = () => t.metrics.registry.metrics();

  it('refuses creates with 503 upstream-unavailable and Retry-After, writing nothing', async () => {
    const before = await rows();
    for (const body of [
      { location_id: 1, user_id: 7, start: '2032-03-03T09:00:00Z', end: '2032-03-03T17:00:00Z' },
      { location_id: 1, start: '2032-03-03T09:00:00Z', end: '2032-03-03T17:00:00Z' },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/shifts',
        payload: body,
        headers: { 'idempotency-key': `k-${body.user_id ?? 'open'}` },
      });
      expectProblem(res, 503, 'upstream-unavailable');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(await rows()).toBe(before);
    const keys = await sql<{ n: number }>`select count(*)::int as n from idempotency_keys`.execute(
      t.database.db,
    );
    expect(keys.rows[0]?.n).toBe(0);
  });

  it('answers reads 503 upstream-unavailable too: without users nobody can be identified', async () => {
    const res = await t.app.inject({ url: listUrl });
    expectProblem(res, 503, 'upstream-unavailable');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('opens the circuit after repeated failures and then fails fast', async () => {
    for (let i = 0; i < 4; i++) await t.app.inject({ url: listUrl });
    expect(metricValue(await metrics(), 'upstream_circuit_state', { upstream: 'users' })).toBe(1);
    const fastBefore = metricValue(await metrics(), 'upstream_request_duration_seconds_count', {
      upstream: 'users',
      outcome: 'circuit_open',
    });
    expectProblem(await t.app.inject({ url: listUrl }), 503, 'upstream-unavailable');
    expectProblem(await t.app.inject({ url: listUrl }), 503, 'upstream-unavailable');
    expect(
      metricValue(await metrics(), 'upstream_request_duration_seconds_count', {
        upstream: 'users',
        outcome: 'circuit_open',
      }),
    ).toBeGreaterThanOrEqual(fastBefore + 2);
    expect(
      metricValue(await metrics(), 'upstream_request_duration_seconds_count', {
        upstream: 'users',
        outcome: 'network_error',
      }),
    ).toBeGreaterThan(0);
  });
});

describe('users process stopped mid-way (pglite)', () => {
  let fx: UsersFixture;
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  let cachedShift: number;
  beforeAll(async () => {
    fx = await startUsersFixture(3);
    t = await buildTestShiftsApp('pglite', fx.users.url, { timeoutMs: 500, breakerHalfOpenAfterMs: 600_000 });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts',
      payload: {
        location_id: fx.locA,
        user_id: fx.people[0],
        start: '2032-03-02T09:00:00Z',
        end: '2032-03-02T17:00:00Z',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    cachedShift = res.json<{ id: number }>().id;
    const list = await t.app.inject({ url: listUrl }); // puts people[0]'s name in the cache
    expect(list.json<PageJson>().data[0]?.assignee?.first_name).toBe('Person0');
    await fx.stop();
  });
  afterAll(async () => {
    await t?.close();
    await fx?.stop();
  });

  it('keeps cached names, degrades for the rest, and refuses writes that need users with 503', async () => {
    const before = Number(
      (
        await t.database.db
          .selectFrom('shifts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    // a new assignee is checked with users: refused, nothing written
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts',
      payload: {
        location_id: fx.locA,
        user_id: fx.people[1],
        start: '2032-03-03T09:00:00Z',
        end: '2032-03-03T17:00:00Z',
      },
    });
    expectProblem(create, 503, 'upstream-unavailable');
    expect(create.headers['retry-after']).toBeDefined();
    const reassign = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/shifts/${cachedShift}`,
      payload: { user_id: fx.people[1] },
    });
    expectProblem(reassign, 503, 'upstream-unavailable');
    const after = Number(
      (
        await t.database.db
          .selectFrom('shifts')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(after).toBe(before);
    expect(
      (await t.app.inject({ url: `/api/v1/shifts/${cachedShift}` })).json<{
        user_id: number;
        version: number;
      }>(),
    ).toMatchObject({ user_id: fx.people[0], version: 1 });

    // a name still in the cache is served; an uncached one makes the page degraded
    const cached = await t.app.inject({ url: listUrl });
    expect(cached.json<PageJson>().data[0]?.assignee?.first_name).toBe('Person0');
    await t.database.db
      .insertInto('shifts')
      .values({
        location_id: fx.locA,
        user_id: fx.people[2]!,
        start_at: new Date('2032-03-04T09:00:00Z'),
        end_at: new Date('2032-03-04T17:00:00Z'),
        timezone: 'UTC',
      })
      .execute();
    const res = await t.app.inject({ url: listUrl });
    expect(res.statusCode).toBe(200);
    const page = res.json<PageJson>();
    expect(page.meta.degraded).toBe(true);
    expect(page.data.map((s) => s.assignee?.first_name ?? null)).toEqual(['Person0', null]);
  });

  it('still serves writes that need nothing from users (notes, delete), but not publishing an assigned shift', async () => {
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/shifts/${cachedShift}`,
      payload: { notes: 'users is down' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    // Publishing someone's shift checks they are still here, as POST /shifts/publish does.
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${cachedShift}`,
        payload: { status: 'published' },
      }),
      503,
      'upstream-unavailable',
    );
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/shifts/${cachedShift}` })).statusCode).toBe(
      204,
    );
    expectProblem(
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/shifts/${cachedShift}`,
        payload: { notes: 'again' },
      }),
      409,
      'shift-deleted',
    );
  });
});

describe('who is calling, while users is down, once the principal is no longer fresh (pglite)', () => {
  let fx: UsersFixture;
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  const PRINCIPAL_TTL_MS = 300;
  beforeAll(async () => {
    fx = await startUsersFixture(1);
    t = await buildTestShiftsApp('pglite', fx.users.url, {
      timeoutMs: 500,
      breakerHalfOpenAfterMs: 600_000,
      principalTtlMs: PRINCIPAL_TTL_MS,
    });
    expect((await t.app.inject({ url: listUrl })).statusCode).toBe(200); // the caller is known now
    await fx.stop();
    await new Promise((r) => setTimeout(r, PRINCIPAL_TTL_MS * 2));
  });
  afterAll(async () => {
    await t?.close();
    await fx?.stop();
  });

  it('reads on who the caller was a moment ago, but a write needs who they are now: 503, nothing written', async () => {
    expect((await t.app.inject({ url: listUrl })).statusCode).toBe(200);
    const before = await countShifts(t.database.db);
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts',
      payload: { location_id: fx.locA, start: '2032-03-05T09:00:00Z', end: '2032-03-05T17:00:00Z' },
    });
    expectProblem(create, 503, 'upstream-unavailable');
    expect(await countShifts(t.database.db)).toBe(before);
  });
});
