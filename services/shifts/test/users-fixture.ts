// The REAL users service as a child process on loopback, and the reference data the shifts tests need,
// created through its public HTTP API (nothing from users is imported here).
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { ErrorCodes } from '@shiftstack/contract';
import type { ShiftsDatabase } from '../src/db';
import { bearer, TEST_ADMIN } from '../../../test/support/auth';
import { freePort } from '../../../scripts/lib/ports';
import { startServiceProcess, type ServiceProcess } from '../../../test/support/service-process';

export interface UsersFixture {
  users: ServiceProcess;
  /** America/Toronto, and a second location (America/Vancouver). */
  locA: number;
  locB: number;
  roleA: number;
  roleA2: number;
  roleB: number;
  /** Active people at locA only. */
  people: number[];
  names: Map<number, { first_name: string; last_name: string }>;
  /** Active, at locB only. */
  personB: number;
  /** At locA, deactivated (DELETE) once shifts listens on shiftsPort: see deactivateLeaver. */
  inactive: number;
  /** Where users expects shifts (its SHIFTS_URL): the shifts app under test listens here. */
  shiftsPort: number;
  /** Deactivates `inactive` through users, which asks shifts to open their future shifts. */
  deactivateLeaver(): Promise<void>;
  /** Makes `n` more active people at locA (fresh ids, so never in any name cache yet). */
  morePeople(n: number, prefix: string): Promise<number[]>;
  stop(): Promise<number | null>;
}

/** A call to users as the test admin (or `headers`' caller). */
export async function call<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(await bearer(TEST_ADMIN)),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function startUsersFixture(peopleCount = 8): Promise<UsersFixture> {
  const shiftsPort = await freePort();
  const users = await startServiceProcess('users', { SHIFTS_URL: `http://127.0.0.1:${shiftsPort}` });
  try {
    const base = users.url;
    const locA = (
      await call<{ id: number }>(base, 'POST', '/api/v1/locations', {
        name: 'Toronto Store',
        timezone: 'America/Toronto',
      })
    ).id;
    const locB = (
      await call<{ id: number }>(base, 'POST', '/api/v1/locations', {
        name: 'Vancouver Store',
        timezone: 'America/Vancouver',
      })
    ).id;
    const roleA = (
      await call<{ id: number }>(base, 'POST', '/api/v1/roles', { location_id: locA, name: 'Barista' })
    ).id;
    const roleA2 = (
      await call<{ id: number }>(base, 'POST', '/api/v1/roles', { location_id: locA, name: 'Cook' })
    ).id;
    const roleB = (
      await call<{ id: number }>(base, 'POST', '/api/v1/roles', { location_id: locB, name: 'Baker' })
    ).id;
    const names = new Map<number, { first_name: string; last_name: string }>();
    const makePerson = async (first: string, last: string, locationIds: number[], roleIds: number[] = []) => {
      const u = await call<{ id: number }>(base, 'POST', '/api/v1/users', {
        first_name: first,
        last_name: last,
        location_ids: locationIds,
        role_ids: roleIds,
      });
      names.set(u.id, { first_name: first, last_name: last });
      return u.id;
    };
    const people: number[] = [];
    // Everyone at locA can work both of its roles, so the role rule only bites where a test means it to.
    for (let i = 0; i < peopleCount; i++)
      people.push(await makePerson(`Person${i}`, `Toronto${i}`, [locA], [roleA, roleA2]));
    const personB = await makePerson('Van', 'Couver', [locB], [roleB]);
    const inactive = await makePerson('Gone', 'Away', [locA], [roleA, roleA2]);
    let leaverGone = false;
    return {
      shiftsPort,
      async deactivateLeaver() {
        if (leaverGone) return;
        const deactivated = await call<{ active: boolean }>(
          base,
          'DELETE',
          `/api/v1/users/${inactive}`,
          { inactive_reason: 'Left the company' },
          { 'if-match': '"1"' },
        );
        expect(deactivated.active).toBe(false);
        leaverGone = true;
      },
      users,
      locA,
      locB,
      roleA,
      roleA2,
      roleB,
      people,
      names,
      personB,
      inactive,
      async morePeople(n, prefix) {
        const ids: number[] = [];
        for (let i = 0; i < n; i++)
          ids.push(await makePerson(`${prefix}${i}`, `Extra${i}`, [locA], [roleA, roleA2]));
        return ids;
      },
      stop: () => users.stop(),
    };
  } catch (err) {
    await users.stop('SIGKILL');
    throw err;
  }
}

/** A problem+json answer with this status and code (and param, when given). */
export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json: <T>() => T },
  status: number,
  code: string,
  param?: string,
): Record<string, unknown> {
  const body = res.json<Record<string, unknown>>();
  expect({ status: res.statusCode, code: body.code }, JSON.stringify(body)).toEqual({ status, code });
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(body.status).toBe(status);
  expect(ErrorCodes as readonly string[]).toContain(body.code);
  if (param !== undefined) expect(body.param).toBe(param);
  return body;
}

/** Sum of a Prometheus counter/histogram-count sample over the series whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const m = /^[^{\s]+(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const got = Object.fromEntries([...(m[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[2]);
  }
  return sum;
}

const DAY = 86_400_000;

/** Hands out a fresh UTC day per call, so each test has a window nobody else writes into. */
export function dayAllocator(firstDay: string) {
  let next = Date.parse(firstDay);
  return () => {
    const start = next;
    next += 2 * DAY;
    const at = (hour: number, minute = 0) =>
      new Date(start + hour * 3_600_000 + minute * 60_000).toISOString();
    return { at, from: new Date(start).toISOString(), to: new Date(start + DAY * 2).toISOString() };
  };
}

/** Every row in the shifts table, deleted or not: a write that was refused must leave this unchanged. */
export async function countShifts(db: Kysely<ShiftsDatabase>): Promise<number> {
  const { n } = await db
    .selectFrom('shifts')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}
