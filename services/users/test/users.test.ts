import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '@shiftstack/service-kit/testing';
import { buildTestUsersApp } from './harness';

describe.each(databaseKinds())('users API on %s', (kind) => {
  let t: Awaited<ReturnType<typeof buildTestUsersApp>>;
  let locationId: number;
  beforeAll(async () => {
    t = await buildTestUsersApp(kind);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/locations', payload: { name: 'Downtown', timezone: 'America/Toronto' } });
    locationId = res.json<{ id: number }>().id;
  });
  afterAll(() => t?.close());

  it('creates a person and reads them back with an ETag', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      payload: { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', location_ids: [locationId] },
    });
    expect(created.statusCode).toBe(201);
    const user = created.json<{ id: number; version: number; location_ids: number[] }>();
    expect(user.location_ids).toEqual([locationId]);
    const read = await t.app.inject({ url: `/api/v1/users/${user.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(`"${user.version}"`);
  });

  it('refuses a stale If-Match with 412 version-mismatch', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/users', payload: { first_name: 'Grace', last_name: 'Hopper' } });
    const { id } = created.json<{ id: number }>();
    const first = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: { 'if-match': '"1"' }, payload: { first_name: 'G.' } });
    expect(first.statusCode).toBe(200);
    const stale = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${id}`, headers: { 'if-match': '"1"' }, payload: { first_name: 'X' } });
    expect(stale.statusCode).toBe(412);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    expect(stale.json()).toMatchObject({ code: 'version-mismatch', status: 412 });
  });
});
