// Property tests (fast-check, bounded runs) against the real users process, on PGlite and PostgreSQL:
// keyset pagination walks every shift once in (start, id) order even with concurrent inserts, and random
// bodies for POST/PATCH /shifts and POST /shifts/publish never produce a 5xx.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ErrorCodes } from '@shiftstack/contract';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { buildTestShiftsApp } from './harness';
import { startUsersFixture, type UsersFixture } from './users-fixture';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

interface ShiftJson {
  id: number;
  start: string;
  user_id: number | null;
  assignee?: unknown;
}
interface PageJson {
  data: ShiftJson[];
  meta: { cursor: { next: string | null; prev: string | null; count: number } };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

let fx: UsersFixture;
beforeAll(async () => {
  fx = await startUsersFixture(4);
});
afterAll(async () => {
  await fx?.stop();
});

function expectNo5xx(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  what: string,
) {
  expect(res.statusCode, `${what} -> ${res.body}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    const body = JSON.parse(res.body) as { code?: string; status?: number };
    expect(ErrorCodes as readonly string[], what).toContain(body.code);
    expect(body.status).toBe(res.statusCode);
  }
}

describeOnDatabases('shifts properties on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestShiftsApp>>;
  beforeAll(async () => {
    t = await buildTestShiftsApp(kind, fx.users.url, {}, { listenPort: fx.shiftsPort });
    await fx.deactivateLeaver();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keyset pagination returns every shift once, in (start, id) order, while others are inserted', async () => {
    let run = 0;
    const hourOffsets = fc.array(fc.integer({ min: 0, max: 6 * 24 - 1 }), { minLength: 0, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(
        hourOffsets,
        fc.integer({ min: 1, max: 12 }),
        hourOffsets,
        async (initial, pageSize, concurrent) => {
          // each run owns one week; many shifts share a start, so the id breaks ties
          const from = Date.parse('2033-01-03T00:00:00Z') + run++ * 7 * DAY;
          const body = (h: number) => ({
            location_id: fx.locA,
            start: new Date(from + h * HOUR).toISOString(),
            end: new Date(from + (h + 2) * HOUR).toISOString(),
          });
          const before: Array<{ id: number; start: string }> = [];
          for (const h of initial) {
            const res = await t.app.inject({ method: 'POST', url: '/api/v1/shifts', payload: body(h) });
            expect(res.statusCode).toBe(201);
            before.push(res.json<ShiftJson>());
          }
          const pending = [...concurrent];
          const seen: ShiftJson[] = [];
          let cursor: string | null = null;
          for (let pages = 0; pages < 200; pages++) {
            const qs = new URLSearchParams({
              'start[gte]': new Date(from).toISOString(),
              'start[lt]': new Date(from + 6 * DAY).toISOString(),
              limit: String(pageSize),
            });
            if (cursor) qs.set('cursor', cursor);
            // a few inserts race with every page read
            const batch = pending.splice(0, 3);
            const [page] = await Promise.all([
              t.app.inject({ url: `/api/v1/shifts?${qs.toString()}` }),
              ...batch.map((h) =>
                t.app
                  .inject({ method: 'POST', url: '/api/v1/shifts', payload: body(h) })
                  .then((r) => expect(r.statusCode).toBe(201)),
              ),
            ]);
            expect(page.statusCode, page.body).toBe(200);
            const p = page.json<PageJson>();
            expect(p.data.length).toBeLessThanOrEqual(pageSize);
            expect(p.meta.cursor.count).toBe(p.data.length);
            seen.push(...p.data);
            cursor = p.meta.cursor.next;
            if (!cursor) break;
          }
          expect(cursor).toBeNull();
          const ids = seen.map((s) => s.id);
          expect(new Set(ids).size).toBe(ids.length); // no shift twice
          for (const b of before) expect(ids).toContain(b.id); // every shift that existed is there
          for (let i = 1; i < seen.length; i++) {
            const a = seen[i - 1]!;
            const b = seen[i]!;
            const ordered = a.start < b.start || (a.start === b.start && a.id < b.id);
            expect(ordered, `${a.start}#${a.id} then ${b.start}#${b.id}`).toBe(true);
          }
          for (const s of seen) expect(s.assignee).toBeNull();
        },
      ),
      { numRuns: 25 },
    );
  });

  it('never answers 5xx to random list queries or forged cursors', async () => {
    const key = fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string({ maxLength: 12 }),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.object({ maxDepth: 1 }),
    );
    const forged = fc
      .record({
        k: fc.oneof(fc.tuple(key, key), fc.array(key, { maxLength: 3 }), key),
        d: fc.oneof(fc.constantFrom('next', 'prev'), fc.string({ maxLength: 5 })),
      })
      .map((c) => Buffer.from(JSON.stringify(c)).toString('base64url'));
    const cursor = fc.oneof(
      forged,
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.base64String({ minLength: 1, maxLength: 40 }),
    );
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer().map(String),
      fc.constantFrom(
        'true',
        'false',
        'all',
        'draft',
        'published',
        '0',
        '-1',
        '2147483648',
        '2033-01-03T00:00:00Z',
        '2033-01-10T00:00:00Z',
      ),
    );
    const query = fc.record(
      {
        'start[gte]': fc.oneof(fc.constant('2033-01-03T00:00:00Z'), value),
        'start[lt]': fc.oneof(fc.constant('2033-01-10T00:00:00Z'), value),
        location_id: value,
        user_id: value,
        role_id: value,
        open: value,
        status: value,
        include_deleted: value,
        limit: value,
        cursor,
        other: value,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const res = await t.app.inject({ url: `/api/v1/shifts?${new URLSearchParams(q).toString()}` });
        expectNo5xx(res, `list ${JSON.stringify(q)}`);
      }),
      { numRuns: 100 },
    );
  });

  // Values that are sometimes right and often wrong, for the fuzzing below.
  const idish = () =>
    fc.oneof(
      fc.constantFrom(fx.locA, fx.locB, fx.roleA, fx.roleB, fx.people[0]!, fx.personB, fx.inactive),
      fc.integer({ min: -5, max: 3_000_000_000 }),
      fc.constant(null),
      fc.string({ maxLength: 4 }),
    );
  const instant = fc.oneof(
    fc
      .integer({ min: 0, max: 72 })
      .map((h) => new Date(Date.parse('2040-01-01T00:00:00Z') + h * HOUR).toISOString()),
    fc
      .date({
        min: new Date('2040-01-01T00:00:00Z'),
        max: new Date('2041-01-01T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
    fc.constantFrom(
      '2040-02-30T00:00:00Z',
      '2040-01-01',
      'yesterday',
      '',
      '2040-01-01T25:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '2040-01-01T00:00:00+14:00',
    ),
    fc.string({ maxLength: 30 }),
    fc.integer(),
  );
  const anyValue = fc.oneof(
    fc.string({ maxLength: 10 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.double(),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  const shiftBody = () =>
    fc.record(
      {
        location_id: idish(),
        role_id: idish(),
        user_id: idish(),
        start: instant,
        end: instant,
        break_minutes: fc.oneof(fc.integer({ min: -10, max: 2000 }), anyValue),
        notes: fc.oneof(
          fc.string({ maxLength: 50 }),
          fc.constant('x'.repeat(1001)),
          fc.constant(null),
          anyValue,
        ),
        status: fc.oneof(fc.constantFrom('draft', 'published', 'all', 'cancelled'), anyValue),
        extra: anyValue,
      },
      { requiredKeys: [] },
    );

  it('never answers 5xx to random shift bodies (POST, PATCH) or publish requests', async () => {
    const open = await t.app.inject({
      method: 'POST',
      url: '/api/v1/shifts',
      payload: { location_id: fx.locA, start: '2040-06-01T09:00:00Z', end: '2040-06-01T17:00:00Z' },
    });
    expect(open.statusCode).toBe(201);
    const target = open.json<ShiftJson>().id;
    await fc.assert(
      fc.asyncProperty(shiftBody(), async (body) => {
        const res = await t.app.inject({ method: 'POST', url: '/api/v1/shifts', payload: body });
        expectNo5xx(res, `POST ${JSON.stringify(body)}`);
      }),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        shiftBody(),
        fc.constantFrom(target, 987654),
        fc.option(fc.constantFrom('"1"', '*', 'W/"2"', 'x'), { nil: undefined }),
        async (body, id, ifMatch) => {
          const { location_id: _ignored, ...patch } = body;
          const res = await t.app.inject({
            method: 'PATCH',
            url: `/api/v1/shifts/${id}`,
            payload: patch,
            headers: ifMatch ? { 'if-match': ifMatch } : {},
          });
          expectNo5xx(res, `PATCH ${JSON.stringify(patch)}`);
        },
      ),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { location_id: idish(), start: instant, end: instant, extra: anyValue },
          { requiredKeys: [] },
        ),
        async (body) => {
          const res = await t.app.inject({ method: 'POST', url: '/api/v1/shifts/publish', payload: body });
          expectNo5xx(res, `publish ${JSON.stringify(body)}`);
        },
      ),
      { numRuns: 40 },
    );
    // non-JSON and wrong media types are problems too
    for (const [payload, type] of [
      ['{"start":', 'application/json'],
      ['start=1', 'application/x-www-form-urlencoded'],
      ['', 'application/json'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/shifts',
        payload,
        headers: { 'content-type': type },
      });
      expectNo5xx(res, `raw ${type} ${payload}`);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
    }
  });
});
