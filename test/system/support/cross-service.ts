// What the cross-service tests (cross-service.test.ts on PGlite, cross-service.postgres.test.ts on
// PostgreSQL) do to the whole system as `npm start` runs it: launch it, walk the seeded demo through the
// front door, follow one X-Request-Id into both services' logs.
import { expect } from 'vitest';
import { startSystem, type RunningSystem, type SystemOptions } from '../../../scripts/local/system';
import { systemPorts } from '../../../scripts/lib/ports';
import { LOCAL_ADMIN } from '../../../scripts/local/accounts';
import { fetchAs, tokenFor } from '../../support/auth';

// Every API call here is the first admin's, signed in at the running system's own issuer.
let current: RunningSystem | undefined;
fetchAs(async () => (current ? tokenFor(LOCAL_ADMIN, current.issuerUrl) : undefined));

export interface UserJson {
  id: number;
  first_name: string;
  last_name: string;
  location_ids: number[];
  role_ids: number[];
  email: string | null;
}
export interface ShiftJson {
  id: number;
  user_id: number | null;
  assignee?: { id: number; first_name: string; last_name: string } | null;
}

export const DAY = 86_400_000;

export async function get<T>(url: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

export async function launch(dataDir: string, extra: Partial<SystemOptions> = {}) {
  const logs = { users: '', shifts: '' };
  const system = await startSystem({
    ...(await systemPorts()),
    dataDir,
    seed: true,
    buildWeb: false,
    stdio: 'pipe',
    logFormat: 'json',
    ...extra,
  });
  // 'pipe': the services' JSON logs stay readable here (what they wrote while starting is still buffered)
  for (const service of ['users', 'shifts'] as const) {
    system.processes[service].stdout?.on('data', (d: Buffer) => (logs[service] += d.toString()));
    system.processes[service].stderr?.on('data', (d: Buffer) => (logs[service] += d.toString()));
  }
  current = system;
  return { system, logs };
}

/** What a person sees through the front door right after `npm start`. */
export async function acceptance(system: RunningSystem) {
  const users = await get<{ data: UserJson[] }>(`${system.url}/api/v1/users?limit=100`);
  expect(users.status).toBe(200);
  // The demo's 30 people, and the first admin everyone signs in as at the start.
  expect(users.body.data).toHaveLength(31);
  expect(users.body.data.filter((u) => u.email === LOCAL_ADMIN)).toHaveLength(1);
  const names = new Map(users.body.data.map((u) => [u.id, u]));

  const locations = await get<{ data: Array<{ id: number; timezone: string }> }>(
    `${system.url}/api/v1/locations`,
  );
  expect(locations.status).toBe(200);
  expect(locations.body.data.map((l) => l.timezone).sort()).toEqual(['America/Toronto', 'America/Vancouver']);
  const roles = await get<{ data: Array<{ id: number; location_id: number }> }>(
    `${system.url}/api/v1/roles?limit=100`,
  );
  expect(roles.status).toBe(200);
  expect(roles.body.data).toHaveLength(9);

  const now = Date.now();
  const qs = new URLSearchParams({
    'start[gte]': new Date(now - 7 * DAY).toISOString(),
    'start[lt]': new Date(now + 7 * DAY).toISOString(),
    limit: '500',
  });
  const shifts = await get<{ data: ShiftJson[]; meta: { degraded?: boolean } }>(
    `${system.url}/api/v1/shifts?${qs.toString()}`,
  );
  expect(shifts.status).toBe(200);
  expect(shifts.body.meta.degraded).toBeUndefined();
  const assigned = shifts.body.data.filter((s) => s.user_id !== null);
  expect(assigned.length).toBeGreaterThan(20);
  for (const s of assigned) {
    const u = names.get(s.user_id!);
    expect(s.assignee).toEqual({ id: s.user_id, first_name: u?.first_name, last_name: u?.last_name });
  }
  for (const s of shifts.body.data.filter((x) => x.user_id === null)) expect(s.assignee).toBeNull();

  // an unknown /api path is a problem from the front door, not the web app
  const missing = await fetch(`${system.url}/api/v1/nothing`);
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-type')).toContain('application/problem+json');
  return {
    users: users.body.data.filter((u) => u.email !== LOCAL_ADMIN),
    shiftCount: shifts.body.data.length,
  };
}

/** One X-Request-Id on a shifts create reaches shifts' log and users' log (shifts forwards it on its calls). */
export async function requestIdFollows(
  system: RunningSystem,
  logs: { users: string; shifts: string },
  person: UserJson,
) {
  const requestId = `xs-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await fetch(`${system.url}/api/v1/shifts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({
      location_id: person.location_ids[0],
      role_id: person.role_ids[0],
      user_id: person.id,
      start: '2030-05-01T13:00:00Z',
      end: '2030-05-01T21:00:00Z',
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  expect(res.headers.get('x-request-id')).toBe(requestId);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !(logs.users.includes(requestId) && logs.shifts.includes(requestId))) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const lines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.includes(requestId))
      .map((l) => JSON.parse(l) as { request_id?: string; req?: { url?: string } });
  const inShifts = lines(logs.shifts);
  const inUsers = lines(logs.users);
  expect(inShifts.length).toBeGreaterThan(0);
  expect(inUsers.length).toBeGreaterThan(0);
  expect(inShifts.every((l) => l.request_id === requestId)).toBe(true);
  expect(inUsers.every((l) => l.request_id === requestId)).toBe(true);
  expect(inUsers.some((l) => l.req?.url === `/api/v1/users/${person.id}`)).toBe(true);
}
