// The permission table of docs/security.md, walked against the running system (`npm start`'s runner):
// every operation, as an employee, a manager and an admin signed in at the development issuer, on
// something at their own location and on something at another. The table must list exactly the
// operations the services' OpenAPI documents describe, and without a token every one of them is 401.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_ADMIN } from '../../scripts/local/accounts';
import { startSystem, type RunningSystem } from '../../scripts/local/system';
import { tokenFor } from '../support/auth';
import { systemPorts } from '../../scripts/lib/ports';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

type Role = 'employee' | 'manager' | 'admin';
interface Row {
  method: string;
  path: string;
  cells: Record<Role, string>;
}

/** The first table after the permission-table marker (its header and separator skipped). */
function permissionTable(): Row[] {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/security.md'), 'utf8');
  const after = doc.slice(doc.indexOf('<!-- permission-table')).split('\n');
  const first = after.findIndex((line) => line.startsWith('|'));
  const rows: Row[] = [];
  for (const line of after.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    const [method, path, employee, manager, admin] = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    rows.push({
      method: method!,
      path: path!,
      cells: { employee: employee!, manager: manager!, admin: admin! },
    });
  }
  return rows;
}

const ROWS = permissionTable();
const dataDir = mkdtempSync(join(tmpdir(), 'shiftstack-permissions-'));
const EMAILS: Record<Role, string> = {
  employee: 'erin.employee@perm.test',
  manager: 'max.manager@perm.test',
  admin: LOCAL_ADMIN,
};
const WINDOW = { from: '2031-06-02T00:00:00Z', to: '2031-06-09T00:00:00Z' };

let system: RunningSystem;
const ids = {
  locA: 0,
  locB: 0,
  roleA: 0,
  roleB: 0,
  employee: 0,
  manager: 0,
  personB: 0,
  pubA: 0,
  draftA: 0,
  pubB: 0,
};
let counter = 0;
const unique = () => `${Date.now().toString(36)}${counter++}`;

interface Answer {
  status: number;
  body: unknown;
}

async function call(
  method: string,
  path: string,
  as: Role | null,
  body?: unknown,
  headers: Record<string, string> = {},
  base?: string,
): Promise<Answer> {
  const res = await fetch(`${base ?? system.url}${path}`, {
    method,
    headers: {
      ...(as ? { authorization: `Bearer ${await tokenFor(EMAILS[as], system.issuerUrl)}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** The port of the service a path belongs to (users or shifts), for requests the front door would tidy. */
function servicePort(path: string): number {
  const base = /^\/api\/v1\/(users|locations|roles|time-off)/.test(path) ? system.usersUrl : system.shiftsUrl;
  return Number(new URL(base).port);
}

/** One request with the path sent exactly as written (fetch would normalise it), without a token. */
function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** As the admin, something that must succeed (the fixtures the walk acts on). */
async function made(path: string, body: unknown): Promise<number> {
  const res = await call('POST', path, 'admin', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: number }).id;
}

let slot = 0;
/** A fresh hour in the test week, so shifts made for the walk never overlap. */
function nextSlot() {
  const start = new Date(Date.parse(WINDOW.from) + (slot++ % 150) * 3_600_000);
  return { start: start.toISOString(), end: new Date(start.getTime() + 3_600_000).toISOString() };
}

/** At the caller's own location, at another, or a person shared by both (rows marked "whole"). */
type Target = 'own' | 'other' | 'shared';
const loc = (t: Target) => (t === 'own' ? ids.locA : ids.locB);
const locs = (t: Target) => (t === 'shared' ? [ids.locA, ids.locB] : [loc(t)]);

/** How to exercise each operation on a target at the caller's own location or at another. */
const requests: Record<
  string,
  (t: Target, as: Role) => Promise<[string, string, unknown?, Record<string, string>?]>
> = {
  'GET /api/v1/users/me': async () => ['GET', '/api/v1/users/me'],
  'GET /api/v1/locations': async () => ['GET', '/api/v1/locations'],
  'GET /api/v1/locations/{id}': async (t) => ['GET', `/api/v1/locations/${loc(t)}`],
  'POST /api/v1/locations': async () => [
    'POST',
    '/api/v1/locations',
    { name: `Loc ${unique()}`, timezone: 'UTC' },
  ],
  'PATCH /api/v1/locations/{id}': async () => {
    const id = await made('/api/v1/locations', { name: `Patch ${unique()}`, timezone: 'UTC' });
    return ['PATCH', `/api/v1/locations/${id}`, { timezone: 'Europe/Paris' }, { 'if-match': '"1"' }];
  },
  'GET /api/v1/locations/{id}/availability': async (t) => ['GET', `/api/v1/locations/${loc(t)}/availability`],
  'GET /api/v1/roles': async () => ['GET', '/api/v1/roles'],
  'GET /api/v1/roles/{id}': async (t) => ['GET', `/api/v1/roles/${t === 'own' ? ids.roleA : ids.roleB}`],
  'POST /api/v1/roles': async (t) => [
    'POST',
    '/api/v1/roles',
    { location_id: loc(t), name: `Role ${unique()}` },
  ],
  'GET /api/v1/users': async () => ['GET', '/api/v1/users?limit=500'],
  'GET /api/v1/users/{id}': async (t, as) => [
    'GET',
    `/api/v1/users/${t === 'other' ? ids.personB : as === 'employee' ? ids.manager : ids.employee}`,
  ],
  'POST /api/v1/users': async (t) => [
    'POST',
    '/api/v1/users',
    { first_name: 'New', last_name: unique(), location_ids: [loc(t)] },
  ],
  'PATCH /api/v1/users/{id}': async (t) => {
    const id = await made('/api/v1/users', {
      first_name: 'Patch',
      last_name: unique(),
      location_ids: locs(t),
    });
    // A promotion: what a manager must not give someone who also works elsewhere.
    const change = t === 'shared' ? { type: 'manager' } : { first_name: 'Patched' };
    return ['PATCH', `/api/v1/users/${id}`, change, { 'if-match': '"1"' }];
  },
  'DELETE /api/v1/users/{id}': async (t) => {
    const id = await made('/api/v1/users', {
      first_name: 'Leaver',
      last_name: unique(),
      location_ids: locs(t),
    });
    return ['DELETE', `/api/v1/users/${id}`, {}, { 'if-match': '"1"' }];
  },
  'GET /api/v1/users/{id}/availability': async (t) => [
    'GET',
    `/api/v1/users/${t === 'other' ? ids.personB : ids.employee}/availability`,
  ],
  'PUT /api/v1/users/{id}/availability': async (t) => [
    'PUT',
    `/api/v1/users/${t === 'other' ? ids.personB : ids.employee}/availability`,
    { windows: [{ weekday: 1, start: '09:00', end: '17:00' }] },
    { 'if-match': '*' },
  ],
  'GET /api/v1/time-off': async () => ['GET', '/api/v1/time-off?from=2031-07-01&to=2031-07-31'],
  'GET /api/v1/time-off/{id}': async (t) => {
    const id = await made('/api/v1/time-off', {
      user_id: t === 'other' ? ids.personB : ids.employee,
      start_date: '2031-07-02',
      end_date: '2031-07-02',
    });
    return ['GET', `/api/v1/time-off/${id}`];
  },
  'POST /api/v1/time-off': async (t) => [
    'POST',
    '/api/v1/time-off',
    {
      user_id: t === 'other' ? ids.personB : ids.employee,
      start_date: '2031-07-03',
      end_date: '2031-07-04',
    },
  ],
  'PATCH /api/v1/time-off/{id}': async (t) => {
    const id = await made('/api/v1/time-off', {
      user_id: t === 'other' ? ids.personB : ids.employee,
      start_date: '2031-07-05',
      end_date: '2031-07-05',
    });
    return ['PATCH', `/api/v1/time-off/${id}`, { status: 'approved' }, { 'if-match': '"1"' }];
  },
  'GET /api/v1/shifts': async () => [
    'GET',
    `/api/v1/shifts?start[gte]=${WINDOW.from}&start[lt]=${WINDOW.to}&limit=500`,
  ],
  'GET /api/v1/shifts/{id}': async (t) => ['GET', `/api/v1/shifts/${t === 'own' ? ids.pubA : ids.pubB}`],
  'POST /api/v1/shifts': async (t) => ['POST', '/api/v1/shifts', { location_id: loc(t), ...nextSlot() }],
  'PATCH /api/v1/shifts/{id}': async (t) => {
    const id = await made('/api/v1/shifts', { location_id: loc(t), ...nextSlot() });
    return ['PATCH', `/api/v1/shifts/${id}`, { notes: 'changed' }, { 'if-match': '"1"' }];
  },
  'DELETE /api/v1/shifts/{id}': async (t) => {
    const id = await made('/api/v1/shifts', { location_id: loc(t), ...nextSlot() });
    return ['DELETE', `/api/v1/shifts/${id}`, undefined, { 'if-match': '"1"' }];
  },
  'POST /api/v1/shifts/publish': async (t) => [
    'POST',
    '/api/v1/shifts/publish',
    { location_id: loc(t), start: '2031-07-01T00:00:00Z', end: '2031-07-02T00:00:00Z' },
  ],
  'POST /api/v1/shifts/copy-week': async (t) => [
    'POST',
    '/api/v1/shifts/copy-week',
    { location_id: loc(t), from_week: '2031-07-07', to_week: '2031-07-14' },
  ],
  'GET /api/v1/shifts/warnings': async (t) => [
    'GET',
    `/api/v1/shifts/warnings?location_id=${loc(t)}&start=2031-07-07T00:00:00Z&end=2031-07-14T00:00:00Z`,
  ],
  'POST /api/v1/shifts/unassign': async () => ['POST', '/api/v1/shifts/unassign', { user_id: ids.employee }],
  'GET /api/v1/users/by-identity': async () => [
    'GET',
    `/api/v1/users/by-identity?issuer=${encodeURIComponent(system.issuerUrl)}&subject=${EMAILS.employee}`,
  ],
};

const NOT_LISTS = ['/api/v1/users/me', '/api/v1/shifts/warnings'];
const isList = (row: Row) => row.method === 'GET' && !row.path.includes('{') && !NOT_LISTS.includes(row.path);

/** Nothing from the other location in a list the caller may read. */
function expectNothingFromElsewhere(row: Row, body: unknown) {
  const data = (body as { data: Array<Record<string, unknown>> }).data;
  const where = (x: Record<string, unknown>) =>
    row.path === '/api/v1/locations'
      ? [x.id]
      : row.path === '/api/v1/users'
        ? (x.location_ids as number[])
        : [x.location_id];
  const outside = data.filter((x) => where(x).every((l) => l === ids.locB));
  expect(outside, `${row.method} ${row.path}`).toEqual([]);
}

beforeAll(async () => {
  system = await startSystem({
    ...(await systemPorts()),
    dataDir,
    seed: false,
    buildWeb: false,
    stdio: 'ignore',
  });
  ids.locA = await made('/api/v1/locations', { name: 'Own Street', timezone: 'UTC' });
  ids.locB = await made('/api/v1/locations', { name: 'Other Avenue', timezone: 'UTC' });
  ids.roleA = await made('/api/v1/roles', { location_id: ids.locA, name: 'Cook' });
  ids.roleB = await made('/api/v1/roles', { location_id: ids.locB, name: 'Baker' });
  ids.manager = await made('/api/v1/users', {
    first_name: 'Max',
    last_name: 'Manager',
    email: EMAILS.manager,
    mobile_number: '+1 555 0101',
    type: 'manager',
    location_ids: [ids.locA],
  });
  ids.employee = await made('/api/v1/users', {
    first_name: 'Erin',
    last_name: 'Employee',
    email: EMAILS.employee,
    location_ids: [ids.locA],
    role_ids: [ids.roleA],
  });
  ids.personB = await made('/api/v1/users', {
    first_name: 'Bo',
    last_name: 'Elsewhere',
    email: 'bo@perm.test',
    location_ids: [ids.locB],
    role_ids: [ids.roleB],
  });
  const slotA = nextSlot();
  ids.pubA = await made('/api/v1/shifts', {
    location_id: ids.locA,
    role_id: ids.roleA,
    user_id: ids.employee,
    ...slotA,
    status: 'published',
  });
  ids.draftA = await made('/api/v1/shifts', { location_id: ids.locA, ...nextSlot() });
  ids.pubB = await made('/api/v1/shifts', {
    location_id: ids.locB,
    user_id: ids.personB,
    ...slotA,
    status: 'published',
  });
});

afterAll(async () => {
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the permission table of docs/security.md', () => {
  it('lists exactly the operations the two services document, each with a security requirement and its permission', async () => {
    const documented: string[] = [];
    for (const base of [system.usersUrl, system.shiftsUrl]) {
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { security?: unknown[]; 'x-permission'?: string }>>;
      };
      for (const [path, ops] of Object.entries(doc.paths)) {
        if (!path.startsWith('/api/')) continue;
        for (const [method, op] of Object.entries(ops)) {
          if (method === 'head') continue;
          documented.push(`${method.toUpperCase()} ${path}`);
          expect(op.security, `${method} ${path}`).toEqual([{ bearer: [] }]);
          expect(op['x-permission'], `${method} ${path}`).toBeTruthy();
        }
      }
    }
    expect(ROWS.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented.sort());
    expect(Object.keys(requests).sort()).toEqual(documented.sort());
  });

  // One test per row, so a failure names its operation and every broken row is reported at once.
  it.each(ROWS.map((row) => [`${row.method} ${row.path}`, row] as const))(
    'answers 401 to %s without a token, through the front door and on its service own port',
    async (_, row) => {
      const [method, path, body, headers] = await requests[`${row.method} ${row.path}`]!('own', 'admin');
      const usersPath = /^\/api\/v1\/(users|locations|roles|time-off)/.test(path);
      for (const base of [system.url, usersPath ? system.usersUrl : system.shiftsUrl]) {
        const res = await call(method, path, null, body, headers, base);
        expect(res.status, `${method} ${path} at ${base}`).toBe(401);
        expect(res.body).toMatchObject({ code: 'unauthenticated' });
      }
    },
  );

  // Authentication comes first: before the body is read or validated, so a caller without a token learns
  // nothing about what a valid request looks like.
  it.each(
    ROWS.filter((r) => ['POST', 'PATCH', 'PUT'].includes(r.method)).map(
      (row) => [`${row.method} ${row.path}`, row] as const,
    ),
  )('answers 401, not 400, to %s without a token and with a broken or an invalid body', async (_, row) => {
    const path = row.path.replace('{id}', '1');
    for (const body of ['{"broken', '{"unknown_field": [1, 2]}']) {
      const res = await rawRequest(servicePort(path), row.method, path, body);
      expect(res.status, `${row.method} ${path} with ${body}: ${res.body}`).toBe(401);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'unauthenticated' });
    }
  });

  // The route that matched decides, never the URL's text: an odd spelling of an API path either is that
  // route (and needs a token) or matches none (404). No handler answers it unauthenticated.
  it.each(ROWS.map((row) => [`${row.method} ${row.path}`, row] as const))(
    'reaches no handler of %s without a token, however its path is spelled',
    async (_, row) => {
      const path = row.path.replace('{id}', '1');
      const port = servicePort(path);
      const body = ['POST', 'PATCH', 'PUT'].includes(row.method) ? '{}' : undefined;
      const rest = path.slice('/api/'.length);
      const spellings = [
        `/%61pi/${rest}`, // encoded
        `/API/${rest}`, // case
        `/api/${rest.toUpperCase()}`,
        `//api/${rest}`, // double slashes
        `/api//${rest}`,
        `/api/v1/../${rest}`, // dot segments
        `/api/./${rest}`,
        `/api/v1/%2e%2e/${rest}`,
        `http://127.0.0.1:${port}${path}`, // absolute-form
        `${path}?`,
        `${path}#fragment`,
      ];
      for (const spelled of spellings) {
        const res = await rawRequest(port, row.method, spelled, body);
        expect([401, 404], `${row.method} ${spelled}: ${res.status} ${res.body}`).toContain(res.status);
        expect(JSON.parse(res.body).code, `${row.method} ${spelled}`).toMatch(
          /^(unauthenticated|route-not-found)$/,
        );
      }
    },
  );

  // Each role walks the rows in the table's order, one test per row (the rows' writes build on each other).
  describe.each(['employee', 'manager', 'admin'] as const)('as the %s', (role) => {
    it.each(ROWS.map((row) => [`${row.method} ${row.path}`, row] as const))('%s', async (_, row) => {
      const cell = row.cells[role];
      const [rule, modifier] = cell.split(',').map((s) => s.trim());
      const what = `${role}: ${row.method} ${row.path} (${cell})`;
      const targets: Target[] = modifier === 'whole' ? ['own', 'other', 'shared'] : ['own', 'other'];
      for (const target of targets) {
        const [method, path, body, headers] = await requests[`${row.method} ${row.path}`]!(target, role);
        const res = await call(method, path, role, body, headers);
        expect(res.status, `${what} on ${target}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
        expect(res.status, `${what} on ${target}`).not.toBe(401);
        const allowed = rule === 'yes' || (rule === 'own' && (target === 'own' || isList(row)));
        if (!allowed) {
          expect(res.status, `${what} on ${target}: ${JSON.stringify(res.body)}`).toBe(403);
          continue;
        }
        expect(res.status, `${what} on ${target}: ${JSON.stringify(res.body)}`).not.toBe(403);
        if (rule === 'own' && isList(row)) expectNothingFromElsewhere(row, res.body);
        if (modifier === 'names only') {
          const people =
            'data' in (res.body as object)
              ? (res.body as { data: Array<Record<string, unknown>> }).data
              : [res.body as Record<string, unknown>];
          for (const p of people.filter((p) => p.id !== ids[role === 'employee' ? 'employee' : 'manager']))
            expect([p.email, p.mobile_number], `${what}: person ${String(p.id)}`).toEqual([null, null]);
        }
        if (modifier === 'published' && isList(row)) {
          const shifts = (res.body as { data: Array<{ status: string }> }).data;
          expect(shifts.length).toBeGreaterThan(0);
          expect(
            shifts.filter((s) => s.status !== 'published'),
            what,
          ).toEqual([]);
        }
      }
    });
    // Right after the employee's walk, before the managers' walks change the week.
    if (role === 'employee')
      it("keeps drafts the managers': the employee cannot read one even by id", async () => {
        expect((await call('GET', `/api/v1/shifts/${ids.draftA}`, role)).status).toBe(403);
      });
  });
});

describe('what a caller learns about things outside their reach', () => {
  it('an employee cannot read a deleted shift by id, even one that was published at their location', async () => {
    const id = await made('/api/v1/shifts', {
      location_id: ids.locA,
      user_id: ids.employee,
      ...nextSlot(),
      status: 'published',
    });
    expect((await call('GET', `/api/v1/shifts/${id}`, 'employee')).status).toBe(200);
    const del = await call('DELETE', `/api/v1/shifts/${id}`, 'admin', undefined, { 'if-match': '"1"' });
    expect(del.status).toBe(204);
    const res = await call('GET', `/api/v1/shifts/${id}`, 'employee');
    expect(res.status).toBe(404);
    expect((await call('GET', `/api/v1/shifts/${id}`, 'manager')).status).toBe(200); // the record stays
  });

  it('an overlap names a shift at another location only as that, not by id or time, to a manager who does not run it', async () => {
    const shared = await made('/api/v1/users', {
      first_name: 'Sam',
      last_name: `Shared ${unique()}`,
      location_ids: [ids.locA, ids.locB],
    });
    const slot = nextSlot();
    const elsewhere = await made('/api/v1/shifts', { location_id: ids.locB, user_id: shared, ...slot });
    const res = await call('POST', '/api/v1/shifts', 'manager', {
      location_id: ids.locA,
      user_id: shared,
      ...slot,
    });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'shift-overlap', conflicting_shift_ids: [], conflicts: [] });
    const { detail } = res.body as { detail: string };
    expect(detail).toMatch(/another location/);
    expect(detail).not.toContain(`shift ${elsewhere}`);
    const asAdmin = await call('POST', '/api/v1/shifts', 'admin', {
      location_id: ids.locA,
      user_id: shared,
      ...slot,
    });
    expect(asAdmin.body).toMatchObject({ conflicting_shift_ids: [elsewhere] });
  });
});
