// A scripted `fetch` for component tests: each route answers from a handler, and every call is recorded.
// Every answer is checked against the contract's schema for its route (a problem against Problem), so a
// test cannot script a reply the services could never send: the mock drifts no further than the contract.
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { vi } from 'vitest';
import {
  Availability,
  AvailabilityPage,
  CopyWeekResult,
  ErrorCodes,
  Location as LocationSchema,
  LocationPage,
  Me,
  Problem,
  PublishResult,
  Role as RoleSchema,
  RolePage,
  ScheduleWarnings,
  Shift as ShiftSchema,
  ShiftPage,
  TimeOff as TimeOffSchema,
  TimeOffPage,
  User as UserSchema,
  UserDeactivated,
  UserPage,
  type Location,
  type Role,
  type Shift,
  type TimeOff,
  type User,
} from '@shiftstack/contract';

export interface Call {
  method: string;
  url: URL;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}
type Handler = (call: Call) => Reply | Promise<Reply>;

export function mockFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href, 'http://localhost');
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((init?.headers as Record<string, string>) ?? {}))
      headers[k.toLowerCase()] = v;
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    const call: Call = { method, url, path: url.pathname, body, headers };
    calls.push(call);
    const handler =
      routes[`${method} ${url.pathname}`] ??
      findPattern(routes, method, url.pathname) ??
      (url.pathname === '/api/v1/users/me' ? answerAsTestAdmin : undefined);
    if (!handler) return json(404, problem(404, 'route-not-found'));
    const reply = await handler(call);
    const status = reply.status ?? 200;
    expectContractReply(method, url.pathname, status, reply.body ?? null);
    return json(status, reply.body ?? null, reply.headers);
  });
  vi.stubGlobal('fetch', fn);
  return {
    calls,
    fn,
    find: (method: string, path: string) => calls.filter((c) => c.method === method && c.path === path),
  };
}

/** /api/v1/users/me unless a test answers it itself. */
const answerAsTestAdmin: Handler = () => ({ body: testAdmin });

/** What each route the web app calls answers on success, as the contract says (the services' route schemas use the same). */
const SUCCESS_SCHEMAS: Record<string, TSchema> = {
  'GET /api/v1/users/me': Me,
  'GET /api/v1/users': UserPage,
  'POST /api/v1/users': UserSchema,
  'PATCH /api/v1/users/:id': UserSchema,
  'DELETE /api/v1/users/:id': UserDeactivated,
  'GET /api/v1/users/:id/availability': Availability,
  'PUT /api/v1/users/:id/availability': Availability,
  'GET /api/v1/locations': LocationPage,
  'PATCH /api/v1/locations/:id': LocationSchema,
  'GET /api/v1/locations/:id/availability': AvailabilityPage,
  'GET /api/v1/roles': RolePage,
  'POST /api/v1/roles': RoleSchema,
  'GET /api/v1/shifts': ShiftPage,
  'POST /api/v1/shifts': ShiftSchema,
  'PATCH /api/v1/shifts/:id': ShiftSchema,
  'POST /api/v1/shifts/publish': PublishResult,
  'POST /api/v1/shifts/copy-week': CopyWeekResult,
  'GET /api/v1/shifts/warnings': ScheduleWarnings,
  'GET /api/v1/time-off': TimeOffPage,
  'POST /api/v1/time-off': TimeOffSchema,
  'PATCH /api/v1/time-off/:id': TimeOffSchema,
};

/**
 * Scripted replies the contract does not allow, since the last `takeContractViolations`. They are
 * recorded rather than thrown, since the app would only show a thrown error as a failed request; the
 * set-up (setup.ts) fails the test after it with the list.
 */
let violations: string[] = [];
export function takeContractViolations(): string[] {
  const taken = violations;
  violations = [];
  return taken;
}

function expectContractReply(method: string, path: string, status: number, body: unknown): void {
  if (status === 204) return;
  const route = `${method} ${path.replace(/\/\d+(?=\/|$)/g, '/:id')}`;
  const schema = status >= 400 ? Problem : SUCCESS_SCHEMAS[route];
  if (!schema) {
    violations.push(`no contract schema for ${route}: add it to SUCCESS_SCHEMAS`);
    return;
  }
  if (status >= 400) {
    const { code, type } = body as { code?: string; type?: string };
    if (!(ErrorCodes as readonly unknown[]).includes(code))
      violations.push(
        `the problem answering ${route} has a code the contract does not list: ${String(code)}`,
      );
    if (type !== `urn:shiftstack:problem:${String(code)}`)
      violations.push(
        `the problem answering ${route} has type ${String(type)}, not the services' urn:shiftstack:problem:<code>`,
      );
  }
  const [first] = Value.Errors(schema, body);
  if (first)
    violations.push(
      `the reply to ${route} (${status}) breaks the contract at ${first.instancePath || '/'}: ${first.message}`,
    );
}

function findPattern(routes: Record<string, Handler>, method: string, path: string): Handler | undefined {
  for (const [key, h] of Object.entries(routes)) {
    const [m, pattern] = key.split(' ');
    if (m !== method || !pattern?.includes(':')) continue;
    const re = new RegExp(`^${pattern.replace(/:[a-z_]+/g, '[^/]+')}$`);
    if (re.test(path)) return h;
  }
  return undefined;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const problem = status >= 400;
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': problem ? 'application/problem+json' : 'application/json', ...headers },
  });
}

export const page = <T>(data: T[], extra: Record<string, unknown> = {}) => ({
  data,
  meta: { cursor: { next: null, prev: null, count: data.length }, ...extra },
});

/** A problem as the services send it (packages/service-kit/src/errors.ts). */
export const problem = (status: number, code: string, extra: Record<string, unknown> = {}) => ({
  type: `urn:shiftstack:problem:${code}`,
  title: code,
  status,
  code,
  request_id: 'req-1',
  ...extra,
});

const T = '2025-11-01T00:00:00Z';

/** Who the component tests are signed in as unless a test answers /api/v1/users/me itself. */
export const testAdmin = {
  id: 999,
  first_name: 'Test',
  last_name: 'Admin',
  email: 'admin@example.com',
  mobile_number: null,
  type: 'employer' as const,
  active: true,
  inactive_reason: null,
  hire_date: null,
  location_ids: [],
  role_ids: [],
  version: 1,
  created_at: T,
  updated_at: T,
  access: 'admin' as const,
};

export const toronto: Location = {
  id: 1,
  name: 'Queen Street',
  timezone: 'America/Toronto',
  overtime_hours_per_week: 40,
  min_rest_hours: 11,
  version: 1,
  created_at: T,
  updated_at: T,
};
export const denver: Location = {
  id: 2,
  name: 'Denver Depot',
  timezone: 'America/Denver',
  overtime_hours_per_week: 40,
  min_rest_hours: 11,
  version: 1,
  created_at: T,
  updated_at: T,
};
export const roles: Role[] = [
  { id: 10, location_id: 1, name: 'Barista', created_at: T, updated_at: T },
  { id: 11, location_id: 1, name: 'Cashier', created_at: T, updated_at: T },
];

export function user(id: number, first: string, last: string, extra: Partial<User> = {}): User {
  return {
    id,
    first_name: first,
    last_name: last,
    email: `${first.toLowerCase()}@example.com`,
    mobile_number: null,
    type: 'employee',
    active: true,
    inactive_reason: null,
    hire_date: null,
    location_ids: [1],
    role_ids: [10],
    version: 3,
    created_at: T,
    updated_at: T,
    ...extra,
  };
}

export function shift(
  id: number,
  userId: number | null,
  start: string,
  end: string,
  extra: Partial<Shift> = {},
): Shift {
  return {
    id,
    location_id: 1,
    role_id: 10,
    user_id: userId,
    start,
    end,
    timezone: 'America/Toronto',
    break_minutes: 30,
    notes: null,
    status: 'published',
    published_at: T,
    deleted_at: null,
    version: 1,
    created_at: T,
    updated_at: T,
    assignee: null,
    ...extra,
  };
}

/** A time-off request as the users service answers it (requested unless `status` says otherwise). */
export function timeOff(
  id: number,
  userId: number,
  start: string,
  end: string,
  extra: Partial<TimeOff> = {},
): TimeOff {
  return {
    id,
    user_id: userId,
    start_date: start,
    end_date: end,
    status: 'requested',
    reason: null,
    decided_by: null,
    decided_at: null,
    version: 1,
    created_at: T,
    updated_at: T,
    ...extra,
  };
}
