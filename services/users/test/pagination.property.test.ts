// Keyset pagination of GET /api/v1/users, as a property: whatever the rows and the page size, walking
// every page returns every row that existed at the start exactly once, in (last_name, first_name, id)
// order, even while other rows are inserted between page fetches; `prev` cursors walk back to the same
// pages; a cursor the API did not issue is refused. On PGlite AND PostgreSQL.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { buildTestUsersApp } from './harness';

interface Row {
  id: number;
  first_name: string;
  last_name: string;
}
interface PageBody {
  data: Row[];
  meta: { cursor: { next: string | null; prev: string | null; count: number } };
}

// A tiny alphabet makes equal names (ties broken by id) and equal last names common.
const namePart = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 2 });
const person = fc.record({ first_name: namePart, last_name: namePart });

const compare = (a: Row, b: Row) =>
  a.last_name < b.last_name
    ? -1
    : a.last_name > b.last_name
      ? 1
      : a.first_name < b.first_name
        ? -1
        : a.first_name > b.first_name
          ? 1
          : a.id - b.id;

describeOnDatabases('keyset pagination of people on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
  beforeAll(async () => {
    t = await buildTestUsersApp(kind);
  }, 60_000);
  afterAll(() => t?.close());

  async function reset() {
    await t.database.db.deleteFrom('user_locations').execute();
    await t.database.db.deleteFrom('user_roles').execute();
    // Everyone but the admin the requests act as; the admin (an employer) is outside the listed type.
    await t.database.db.deleteFrom('users').where('type', '=', 'employee').execute();
  }
  async function insert(people: Array<{ first_name: string; last_name: string }>): Promise<Row[]> {
    if (people.length === 0) return [];
    return t.database.db
      .insertInto('users')
      .values(people)
      .returning(['id', 'first_name', 'last_name'])
      .execute();
  }
  async function page(limit: number, cursor: string | null): Promise<PageBody> {
    const res = await t.app.inject({
      url: `/api/v1/users?type=employee&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<PageBody>();
    expect(body.meta.cursor.count).toBe(body.data.length);
    expect(body.data.length).toBeLessThanOrEqual(limit);
    return body;
  }

  it('walks every starting row exactly once, in order, while rows are inserted between pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        // Per page fetch: new people, some copying the name of a starting row (by index).
        fc.array(fc.array(fc.oneof(person, fc.nat({ max: 24 })), { maxLength: 3 }), { maxLength: 12 }),
        async (initial, limit, insertions) => {
          await reset();
          const start = await insert(initial);
          const seen: Row[] = [];
          let cursor: string | null = null;
          let first = true;
          for (let i = 0; i < 200 && (first || cursor); i++) {
            const p = await page(limit, cursor);
            if (first) expect(p.meta.cursor.prev).toBeNull();
            first = false;
            seen.push(...p.data);
            cursor = p.meta.cursor.next;
            const batch = insertions[i] ?? [];
            await insert(
              batch.map((x) => {
                if (typeof x !== 'number') return x;
                const copy = start[x % Math.max(1, start.length)];
                return copy
                  ? { first_name: copy.first_name, last_name: copy.last_name }
                  : { first_name: 'a', last_name: 'a' };
              }),
            );
            if (typeof batch[0] === 'number' && start.length > 0) {
              // Also a duplicate of the row just served, which sorts after it (higher id): must still come.
              const last = seen.at(-1);
              if (last) await insert([{ first_name: last.first_name, last_name: last.last_name }]);
            }
          }
          expect(cursor).toBeNull();
          const ids = seen.map((r) => r.id);
          expect(new Set(ids).size).toBe(ids.length);
          for (const r of start) expect(ids.filter((id) => id === r.id)).toHaveLength(1);
          for (let i = 1; i < seen.length; i++) expect(compare(seen[i - 1]!, seen[i]!)).toBeLessThan(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('prev cursors walk back through the same pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        async (initial, limit) => {
          await reset();
          await insert(initial);
          const forward: Row[][] = [];
          let p = await page(limit, null);
          forward.push(p.data);
          for (let i = 0; i < 100 && p.meta.cursor.next; i++) {
            p = await page(limit, p.meta.cursor.next);
            if (p.data.length > 0) forward.push(p.data);
          }
          expect(forward.flat()).toHaveLength(initial.length);
          // Back from the last page.
          const backward: Row[][] = [forward.at(-1)!];
          let prev = p.data.length > 0 ? p.meta.cursor.prev : null;
          if (p.data.length === 0 && forward.length > 1) {
            // An empty trailing page (the previous page was exactly full): start from its prev cursor.
            prev = p.meta.cursor.prev;
            backward.length = 0;
          }
          for (let i = 0; i < 100 && prev; i++) {
            const b = await page(limit, prev);
            backward.unshift(b.data);
            prev = b.meta.cursor.prev;
            // A page reached by `prev` links forward to the page it came from.
            expect(b.meta.cursor.next).toBeTruthy();
          }
          expect(backward.flat().map((r) => r.id)).toEqual(forward.flat().map((r) => r.id));
          expect(backward.map((b) => b.length)).toEqual(forward.map((f) => f.length));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a cursor it did not issue with 400 invalid-cursor', async () => {
    const bad = [
      'not-a-cursor',
      '%%%',
      Buffer.from('{"k":["a","b"],"d":"next"}').toString('base64url'), // wrong width
      Buffer.from('{"k":["a","b",1],"d":"sideways"}').toString('base64url'),
      Buffer.from('{"k":"abc","d":"next"}').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('null').toString('base64url'),
      Buffer.from('{"k":["a","b","not-a-number"],"d":"next"}').toString('base64url'), // wrong type for id
      Buffer.from('{"k":[{},[],1],"d":"next"}').toString('base64url'),
    ];
    for (const cursor of bad) {
      const res = await t.app.inject({ url: `/api/v1/users?cursor=${encodeURIComponent(cursor)}` });
      expect(res.statusCode, `${cursor}: ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'invalid-cursor', param: 'cursor' });
    }
    const locations = await t.app.inject({ url: '/api/v1/locations?cursor=garbage' });
    expect(locations.statusCode).toBe(400);
    expect(locations.json()).toMatchObject({ code: 'invalid-cursor', param: 'cursor' });
  });

  it('a well-formed cursor with values of the wrong types never gives a 5xx', async () => {
    await insert([{ first_name: 'a', last_name: 'b' }]);
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.jsonValue(), fc.jsonValue(), fc.jsonValue()),
        fc.constantFrom('next', 'prev'),
        async (k, d) => {
          const cursor = Buffer.from(JSON.stringify({ k, d })).toString('base64url');
          if (cursor.length > 512) return;
          const res = await t.app.inject({ url: `/api/v1/users?limit=5&cursor=${cursor}` });
          expect(res.statusCode, `${JSON.stringify(k)}: ${res.body}`).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.headers['content-type']).toContain('application/problem+json');
            expect(res.json()).toMatchObject({ code: 'invalid-cursor', param: 'cursor' });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
