import type { TimeOff } from '@shiftstack/contract';
// A scripted `fetch` for component tests: each route answers from a handler, and every call is recorded.
import { vi } from 'vitest';
import type { Location, Role, Shift, User } from '@shiftstack/contract';

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
    if (!handler)
      return json(404, { type: 'about:blank', title: 'Not Found', status: 404, code: 'route-not-found' });
    const reply = await handler(call);
    return json(reply.status ?? 200, reply.body ?? null, reply.headers);
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

export const problem = (status: number, code: string, extra: Record<string, unknown> = {}) => ({
  type: `https://shiftstack.dev/problems/${code}`,
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
