// Every error is RFC 9457 problem+json with a stable code; and the operational endpoints (/healthz,
// /readyz, /openapi.json, /docs, metrics) behave as docs/runtime-contract.md says. On PGlite AND PostgreSQL.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { DEFAULT_MIGRATION_TIMEOUT_MS, openDatabase } from '@shiftstack/service-kit';
import { describeOnDatabases, silentLogger } from '@shiftstack/service-kit/testing';
import type { UsersDatabase } from '../src/db';
import { freePort } from '../../../scripts/lib/ports';
import { buildTestUsersApp } from './harness';

function expectProblem(res: LightMyRequestResponse, status: number, code: string, param?: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json<Record<string, unknown>>();
  expect(body).toMatchObject({ status, code, type: `urn:shiftstack:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(body.request_id).toBe(res.headers['x-request-id']);
  if (param !== undefined) expect(body.param).toBe(param);
  return body;
}

/** A route only these tests register: every /api route must declare who may call it. */
const testRoute = { schema: { summary: 'test only', 'x-permission': 'anyone signed in' } };

describeOnDatabases('problem+json and ops endpoints on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
  beforeAll(async () => {
    t = await buildTestUsersApp(
      kind,
      { BODY_LIMIT_BYTES: '2048' },
      {
        extend(app, database) {
          // A handler that fails with a real database error, whose message holds SQL text.
          app.get('/api/v1/test-failure', testRoute, async () => {
            await sql`select secret_column from no_such_table_xyz`.execute(database.db);
            return { ok: true };
          });
          app.get('/api/v1/test-throw', testRoute, async () => {
            throw new Error('kaboom: password=hunter2 at /srv/app/file.ts:12');
          });
        },
      },
    );
  }, 60_000);
  afterAll(() => t?.close());

  it('unknown route: 404 route-not-found', async () => {
    const res = await t.app.inject({ url: '/api/v1/nothing-here?x=1' });
    const body = expectProblem(res, 404, 'route-not-found');
    expect(body.instance).toBe('/api/v1/nothing-here');
    expectProblem(
      await t.app.inject({ method: 'PUT', url: '/api/v1/users/1', payload: {} }),
      404,
      'route-not-found',
    );
  });

  it('validation: 400 validation-failed listing every field at fault, param = the first', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: {
        first_name: '',
        last_name: { nested: true },
        email: 'not-an-email',
        type: 'boss',
        location_ids: [0],
        colour: 'red',
      },
    });
    const body = expectProblem(res, 400, 'validation-failed');
    const errors = body.errors as Array<{ param: string; message: string }>;
    const params = errors.map((e) => e.param);
    for (const p of ['first_name', 'last_name', 'email', 'type', 'location_ids.0', 'colour'])
      expect(params).toContain(p);
    expect(body.param).toBe(errors[0]!.param);
    for (const e of errors) expect(typeof e.message).toBe('string');

    const missing = expectProblem(
      await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: {} }),
      400,
      'validation-failed',
    );
    expect((missing.errors as Array<{ param: string }>).map((e) => e.param).sort()).toEqual([
      'first_name',
      'last_name',
    ]);
    expectProblem(await t.app.inject({ url: '/api/v1/users/abc' }), 400, 'validation-failed', 'id');
    expectProblem(await t.app.inject({ url: '/api/v1/users/0' }), 400, 'validation-failed', 'id');
  });

  it('JSON bodies are typed, never coerced; query strings and path params are converted', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { first_name: 'Ada', last_name: 42 },
    });
    expectProblem(res, 400, 'validation-failed', 'last_name');
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: { name: 'X', timezone: 'UTC', extra: true },
      }),
      400,
      'validation-failed',
      'extra',
    );
    expect((await t.app.inject({ url: '/api/v1/users?limit=2&status=all' })).statusCode).toBe(200);
  });

  it('text PostgreSQL cannot store (NUL) is a 400, not a 500, on every back end', async () => {
    const loc = await t.app.inject({
      method: 'POST',
      url: '/api/v1/locations',
      payload: { name: 'Nul\u0000Town', timezone: 'UTC' },
    });
    expectProblem(loc, 400, 'validation-failed');
    const person = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { first_name: 'A\u0000', last_name: 'B' },
    });
    expectProblem(person, 400, 'validation-failed');
  });

  it('names are stored as sent in NFC, or refused: invisible, control and bidi-override text is a 400', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'content-type': 'application/json' },
      payload: '{"first_name":"Jose\\u0301","last_name":"Nu\\u00f1ez"}',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ first_name: 'Jos\u00e9', last_name: 'Nu\u00f1ez' });
    for (const first_name of ['\u200b', 'Ada\u202Eevil', 'Ada\nLovelace', 'Ada\t']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        payload: { first_name, last_name: 'B' },
      });
      expect(expectProblem(res, 400, 'validation-failed', 'first_name').detail).toContain(
        'visible text on one line',
      );
    }
    const invalidUtf8 = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'content-type': 'application/json' },
      payload: Buffer.concat([
        Buffer.from('{"first_name":"A'),
        Buffer.from([0xff]),
        Buffer.from('","last_name":"B"}'),
      ]),
    });
    expectProblem(invalidUtf8, 400, 'malformed-body');
  });

  it('ids are plain decimal: 0x10, 1e3 and 1.0 are 400, not users 16, 1000 and 1', async () => {
    for (const id of ['0x10', '1e3', '1.0', '01'])
      expectProblem(await t.app.inject({ url: `/api/v1/users/${id}` }), 400, 'validation-failed', 'id');
    expectProblem(await t.app.inject({ url: '/api/v1/users?limit=1e2' }), 400, 'validation-failed', 'limit');
  });

  it('malformed JSON: 400 malformed-body', async () => {
    for (const payload of ['{"first_name":', '{first_name: "x"}', 'nope']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectProblem(res, 400, 'malformed-body');
    }
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/v1/locations',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expectProblem(empty, 400, 'malformed-body');
  });

  it('body over BODY_LIMIT_BYTES: 413 payload-too-large', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ first_name: 'x'.repeat(3000), last_name: 'y' }),
    });
    expectProblem(res, 413, 'payload-too-large');
  });

  it('wrong content type: 415 unsupported-media-type', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        headers: { 'content-type': type },
        payload: 'name=x&timezone=UTC',
      });
      expectProblem(res, 415, 'unsupported-media-type');
    }
  });

  it('an internal error: 500 internal-error, with no stack, SQL or message text in the body', async () => {
    for (const url of ['/api/v1/test-failure', '/api/v1/test-throw']) {
      const res = await t.app.inject({ url });
      const body = expectProblem(res, 500, 'internal-error');
      for (const leak of [
        'no_such_table',
        'secret_column',
        'select ',
        'kaboom',
        'hunter2',
        '.ts:',
        '\n',
        '"stack"',
        '42p01',
      ]) {
        expect(res.body.toLowerCase()).not.toContain(leak);
      }
      expect(Object.keys(body).sort()).toEqual([
        'code',
        'detail',
        'instance',
        'request_id',
        'status',
        'title',
        'type',
      ]);
    }
  });

  it('echoes x-request-id: reuses a sane incoming one, replaces an insane one', async () => {
    const sane = await t.app.inject({
      url: '/api/v1/nothing',
      headers: { 'x-request-id': 'req-123.abc:XYZ_9' },
    });
    expect(sane.headers['x-request-id']).toBe('req-123.abc:XYZ_9');
    expect(sane.json()).toMatchObject({ request_id: 'req-123.abc:XYZ_9' });
    for (const insane of ['has spaces', 'x'.repeat(200), 'semi;colon', '<script>']) {
      const res = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': insane } });
      const id = res.headers['x-request-id'];
      expect(id).not.toBe(insane);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const none = await t.app.inject({ url: '/api/v1/users' });
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/healthz 200 and /readyz 200 when ready; /readyz 503 not-ready with checks while draining', async () => {
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', draining: 'ok' },
    });
    t.readiness.draining = true;
    try {
      const draining = await t.app.inject({ url: '/readyz' });
      const body = expectProblem(draining, 503, 'not-ready');
      expect(draining.headers['retry-after']).toBeDefined();
      expect(body.checks).toMatchObject({
        database: 'ok',
        draining: expect.stringMatching(/^fail/) as unknown,
      });
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/api/v1/users' })).statusCode).toBe(200);
    } finally {
      t.readiness.draining = false;
    }
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });

  it('/openapi.json is an OpenAPI 3.1 document listing the users paths; /docs serves a page', async () => {
    const res = await t.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
      components?: Record<string, Record<string, unknown>>;
    }>();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    const expected: Record<string, string[]> = {
      '/api/v1/users': ['get', 'post'],
      '/api/v1/users/{id}': ['get', 'patch', 'delete'],
      '/api/v1/locations': ['get', 'post'],
      '/api/v1/locations/{id}': ['get', 'patch'],
      '/api/v1/roles': ['get', 'post'],
      '/api/v1/roles/{id}': ['get'],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(Object.keys(doc.paths), path).toContain(path);
      for (const m of methods) {
        const op = doc.paths[path]![m];
        expect(op, `${m} ${path}`).toBeDefined();
        expect(Object.keys(op!.responses ?? {}).length, `${m} ${path} responses`).toBeGreaterThan(0);
      }
    }
    for (const hidden of ['/healthz', '/readyz', '/openapi.json'])
      expect(Object.keys(doc.paths)).not.toContain(hidden);
    // Every $ref resolves inside the document.
    const refs = [...res.body.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    for (const ref of refs) {
      expect(ref.startsWith('#/')).toBe(true);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, key) =>
            (node as Record<string, unknown> | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
          doc,
        );
      expect(target, ref).toBeDefined();
    }
    const docs = await t.app.inject({ url: '/docs' });
    const page =
      docs.statusCode === 302
        ? await t.app.inject({ url: String(docs.headers.location).replace(/^\.\//, '/docs/') })
        : docs;
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body.toLowerCase()).toContain('<html');
  });

  it('metrics label routes by template, unknown paths as unmatched, and leave probes out', async () => {
    const u = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { first_name: 'Metric', last_name: 'Person' },
    });
    const id = u.json<{ id: number }>().id;
    await t.app.inject({ url: `/api/v1/users/${id}` });
    await t.app.inject({ url: '/api/v1/users/987654' });
    await t.app.inject({ url: '/some/unknown/path/424242' });
    await t.app.inject({ url: '/healthz' });
    await t.app.inject({ url: '/readyz' });
    const text = await t.metrics.registry.metrics();
    const lines = text.split('\n').filter((l) => l.startsWith('http_request_duration_seconds_count'));
    expect(
      lines.some(
        (l) =>
          l.includes('route="/api/v1/users/:id"') &&
          l.includes('status_code="200"') &&
          l.includes('method="GET"'),
      ),
    ).toBe(true);
    expect(
      lines.some((l) => l.includes('route="/api/v1/users/:id"') && l.includes('status_code="404"')),
    ).toBe(true);
    expect(
      lines.some(
        (l) =>
          l.includes('route="/api/v1/users"') &&
          l.includes('method="POST"') &&
          l.includes('status_code="201"'),
      ),
    ).toBe(true);
    expect(lines.some((l) => l.includes('route="unmatched"') && l.includes('status_code="404"'))).toBe(true);
    for (const l of lines) {
      expect(l).not.toContain(`/${id}"`);
      expect(l).not.toContain('987654');
      expect(l).not.toContain('424242');
      expect(l).not.toContain('healthz');
      expect(l).not.toContain('readyz');
    }
  });
});

describeOnDatabases('rate limiting on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
  beforeAll(async () => {
    t = await buildTestUsersApp(kind, { RATE_LIMIT_PER_MINUTE: '3' });
  }, 60_000);
  afterAll(() => t?.close());

  it('answers 429 rate-limited with Retry-After past RATE_LIMIT_PER_MINUTE, but never for probes', async () => {
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: '/api/v1/users' })).statusCode).toBe(200);
    const limited = await t.app.inject({ url: '/api/v1/users' });
    expectProblem(limited, 429, 'rate-limited');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expectProblem(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/locations',
        payload: { name: 'X', timezone: 'UTC' },
      }),
      429,
      'rate-limited',
    );
    for (let i = 0; i < 5; i++) {
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    }
    expect(await t.metrics.registry.getSingleMetricAsString('http_requests_rate_limited_total')).toMatch(
      /http_requests_rate_limited_total [1-9]/,
    );
  }, 60_000);
});

describeOnDatabases('database unavailable on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
  beforeAll(async () => {
    if (kind === 'postgres') {
      // A PostgreSQL URL whose port nobody listens on.
      const port = await freePort();
      const database = await openDatabase<UsersDatabase>({
        config: {
          kind: 'postgres',
          url: `postgres://nobody:secret@127.0.0.1:${port}/users`,
          poolMax: 2,
          statementTimeoutMs: 1000,
          queryTimeoutMs: 2000,
          connectTimeoutMs: 1000,
          migrationTimeoutMs: DEFAULT_MIGRATION_TIMEOUT_MS,
        },
        serviceName: 'users',
        logger: silentLogger,
      });
      t = await buildTestUsersApp(kind, {}, { database });
    } else {
      // A working PGlite, closed under the running app.
      t = await buildTestUsersApp(kind);
      expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      await t.database.close();
    }
  }, 60_000);
  afterAll(async () => {
    await t?.app.close();
    if (kind === 'postgres') await t?.database.close();
  });

  it('API calls answer 503 database-unavailable with Retry-After, without internals', async () => {
    const requests = [
      t.app.inject({ url: '/api/v1/users' }),
      t.app.inject({ url: '/api/v1/users/1' }),
      t.app.inject({ method: 'POST', url: '/api/v1/users', payload: { first_name: 'A', last_name: 'B' } }),
      t.app.inject({ method: 'POST', url: '/api/v1/locations', payload: { name: 'A', timezone: 'UTC' } }),
    ];
    for (const res of await Promise.all(requests)) {
      expectProblem(res, 503, 'database-unavailable');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|secret|closed/i);
    }
  });

  it('/healthz still answers 200; /readyz answers 503 not-ready naming the database check', async () => {
    const health = await t.app.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ url: '/readyz' });
    const body = expectProblem(ready, 503, 'not-ready');
    expect((body.checks as Record<string, string>).database).toMatch(/^fail/);
    expect((body.checks as Record<string, string>).migrations).toBe('ok');
  });
});
