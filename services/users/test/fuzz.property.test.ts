// "Random request bodies never give a 5xx": whatever a client sends to the users API (any JSON, the real
// field names with wrong types, unicode, huge numbers, nulls, odd query strings), the answer is < 500,
// and every refusal is problem+json with a code. On PGlite AND PostgreSQL.
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCodes } from '@shiftstack/contract';
import { describeOnDatabases } from '@shiftstack/service-kit/testing';
import { buildTestUsersApp } from './harness';

const NUM_RUNS = 40;

const weirdScalar = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates included
  fc.string({ minLength: 150, maxLength: 300 }),
  fc.double(),
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    2147483648,
    Number.MAX_SAFE_INTEGER,
    1e308,
    -1e308,
    '1e400',
    '',
    ' ',
    '\u0000',
    'NaN',
    '9'.repeat(40),
    '2024-02-30',
    '0000-00-00',
    '99999-01-01',
    'a@b',
    '@',
    'Ω@ü.example',
    'Europe/Nowhere',
    'UTC',
    [1, 1],
    [0],
    [-5],
    [2147483648],
    Array.from({ length: 60 }, (_, i) => i + 1),
    {},
    { nested: { deep: [null] } },
  ),
);

const USER_FIELDS = [
  'first_name',
  'last_name',
  'email',
  'mobile_number',
  'type',
  'hire_date',
  'location_ids',
  'role_ids',
  'active',
];
const record = (fields: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...fields), fc.string({ maxLength: 8 })), weirdScalar, {
    maxKeys: 8,
  });
const body = (fields: string[]) =>
  fc.oneof(record(fields), record(fields), fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2 }));

function serialize(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return 'null';
  }
}

function checkResponse(res: LightMyRequestResponse, what: string) {
  expect(res.statusCode, `${what} -> ${res.body}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], what).toContain('application/problem+json');
    const problem = res.json<{ code: string; status: number }>();
    expect(ErrorCodes as readonly string[]).toContain(problem.code);
    expect(problem.status).toBe(res.statusCode);
  }
}

describeOnDatabases('random requests never give a 5xx on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
  let userId: number;
  let locationId: number;
  beforeAll(async () => {
    t = await buildTestUsersApp(kind);
    locationId = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: { name: 'Fuzz', timezone: 'UTC' },
      })
    ).json<{ id: number }>().id;
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/roles',
      payload: { location_id: locationId, name: 'Fuzzer' },
    });
    userId = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        payload: { first_name: 'F', last_name: 'Z' },
      })
    ).json<{ id: number }>().id;
  }, 60_000);
  afterAll(() => t?.close());

  const send = (
    method: 'POST' | 'PATCH',
    url: string,
    value: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: serialize(value),
    });

  it('POST /api/v1/users', async () => {
    await fc.assert(
      fc.asyncProperty(body(USER_FIELDS), fc.option(fc.string({ maxLength: 300 })), async (value, key) => {
        const headers: Record<string, string> =
          key !== null && /^[\x20-\x7e]*$/.test(key) ? { 'idempotency-key': key } : {};
        checkResponse(await send('POST', '/api/v1/users', value, headers), serialize(value));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('PATCH /api/v1/users/:id (and odd ids and If-Match headers)', async () => {
    await fc.assert(
      fc.asyncProperty(
        body(USER_FIELDS),
        fc.oneof(
          fc.constant(String(userId)),
          fc.constantFrom('0', '-1', '2147483648', '1e3', 'abc', '%00', '99999999999999999999'),
        ),
        fc.option(fc.oneof(fc.constant('"1"'), fc.string({ unit: 'binary-ascii', maxLength: 20 }))),
        async (value, id, ifMatch) => {
          const headers: Record<string, string> =
            ifMatch !== null && /^[\x20-\x7e]*$/.test(ifMatch) ? { 'if-match': ifMatch } : {};
          checkResponse(
            await send('PATCH', `/api/v1/users/${id}`, value, headers),
            `${id} ${serialize(value)}`,
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('POST /api/v1/locations', async () => {
    await fc.assert(
      fc.asyncProperty(body(['name', 'timezone']), async (value) => {
        checkResponse(await send('POST', '/api/v1/locations', value), serialize(value));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('POST /api/v1/roles', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          body(['location_id', 'name']),
          fc.record({ location_id: fc.constant(locationId), name: weirdScalar }),
        ),
        async (value) => {
          checkResponse(await send('POST', '/api/v1/roles', value), serialize(value));
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('GET /api/v1/users query strings', async () => {
    const keys = fc.oneof(
      fc.constantFrom('location_id', 'role_id', 'type', 'status', 'q', 'ids', 'limit', 'cursor'),
      fc.string({ maxLength: 6 }),
    );
    const value = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.string({ maxLength: 120 }),
      fc.constantFrom(
        '1',
        '0',
        '-1',
        '2147483648',
        '1,2,3',
        ',',
        '1,,2',
        'all',
        'active',
        'manager',
        '%',
        '_',
        '\\',
        "'",
        '"',
        '1e400',
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(keys, value, fc.boolean()), { maxLength: 5 }), async (pairs) => {
        // Mostly well encoded; sometimes raw (malformed percent-encoding included).
        const query = pairs
          .map(([k, v, raw]) =>
            raw ? `${k}=${v.replace(/[#\s]/g, '')}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
          )
          .join('&');
        const res = await t.app.inject({ url: `/api/v1/users?${query}` });
        checkResponse(res, query);
      }),
      { numRuns: NUM_RUNS * 2 },
    );
  });
});
