// The same-origin HTTP API (/api/v1). Only types come from the contract; nothing from the services.
import type {
  Availability,
  AvailabilityWindow,
  CopyWeekRequest,
  CopyWeekResult,
  Location,
  LocationPatch,
  Me,
  Problem,
  PublishRequest,
  PublishResult,
  Role,
  ScheduleWarnings,
  Shift,
  TimeOff,
  TimeOffCreate,
  TimeOffPage,
  ShiftCreate,
  ShiftPatch,
  User,
  UserCreate,
  UserDeactivated,
  UserPatch,
} from '@shiftstack/contract';
import { accessToken, renewOrSignIn } from './auth';

export type { Location, Me, Problem, Role, Shift, User };

/** Any failed call: an HTTP error with its problem+json body, or no answer at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(problem?.detail ?? problem?.title ?? (status === 0 ? 'network error' : `HTTP ${status}`));
    this.name = 'ApiError';
  }
  get code(): string | undefined {
    return this.problem?.code;
  }
}

export interface ListMeta {
  cursor: { next: string | null; prev: string | null; count: number };
  degraded?: boolean;
}
export interface ListPage<T> {
  data: T[];
  meta: ListMeta;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  etag: string | null;
}

export async function request<T>(
  method: string,
  path: string,
  opts: RequestOptions = {},
  renewed = false,
): Promise<ApiResponse<T>> {
  const token = await accessToken();
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...opts.headers,
  };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(`/api/v1${path}`, opts.query), {
      method,
      headers,
      body,
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, null);
  }
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  // An expired or revoked token: renew once and retry, or the page goes back to sign-in.
  if (res.status === 401 && token && !renewed && (await renewOrSignIn()))
    return request<T>(method, path, opts, true);
  if (!res.ok) {
    const retry = Number(res.headers.get('retry-after'));
    const problem = parsed && typeof parsed === 'object' && 'status' in parsed ? (parsed as Problem) : null;
    throw new ApiError(res.status, problem, Number.isFinite(retry) && retry > 0 ? retry : null);
  }
  return { data: parsed as T, etag: res.headers.get('etag') };
}

/** Every page of a list (up to `maxPages`), following meta.cursor.next. */
export async function listAll<T>(
  path: string,
  query: Query,
  signal?: AbortSignal,
  maxPages = 20,
): Promise<{ data: T[]; degraded: boolean }> {
  const data: T[] = [];
  let degraded = false;
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const { data: page }: ApiResponse<ListPage<T>> = await request<ListPage<T>>('GET', path, {
      query: cursor ? { ...query, cursor } : query,
      signal,
    });
    data.push(...page.data);
    degraded ||= page.meta?.degraded === true;
    cursor = page.meta?.cursor?.next ?? null;
    if (!cursor) break;
  }
  return { data, degraded };
}

const newKey = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;

export const api = {
  me: (signal?: AbortSignal) => request<Me>('GET', '/users/me', { signal }).then((r) => r.data),
  locations: (signal?: AbortSignal) => listAll<Location>('/locations', { limit: 500 }, signal),
  updateLocation: (id: number, version: number, body: LocationPatch) =>
    request<Location>('PATCH', `/locations/${id}`, { body, headers: { 'if-match': `"${version}"` } }).then(
      (r) => r.data,
    ),
  roles: (locationId: number | undefined, signal?: AbortSignal) =>
    listAll<Role>('/roles', { location_id: locationId, limit: 500 }, signal),
  users: (query: Query, signal?: AbortSignal) => listAll<User>('/users', { limit: 500, ...query }, signal),
  usersPage: (query: Query, signal?: AbortSignal) =>
    request<ListPage<User>>('GET', '/users', { query, signal }).then((r) => r.data),
  createUser: (body: UserCreate) =>
    request<User>('POST', '/users', { body, headers: { 'idempotency-key': newKey() } }).then((r) => r.data),
  updateUser: (id: number, version: number, body: UserPatch) =>
    request<User>('PATCH', `/users/${id}`, { body, headers: { 'if-match': `"${version}"` } }).then(
      (r) => r.data,
    ),
  deactivateUser: (id: number, version: number, reason: string) =>
    request<UserDeactivated>('DELETE', `/users/${id}`, {
      body: reason ? { inactive_reason: reason } : {},
      headers: { 'if-match': `"${version}"` },
    }).then((r) => r.data),
  shifts: (query: Query, signal?: AbortSignal) => listAll<Shift>('/shifts', { limit: 500, ...query }, signal),
  createShift: (body: ShiftCreate) =>
    request<Shift>('POST', '/shifts', { body, headers: { 'idempotency-key': newKey() } }).then((r) => r.data),
  updateShift: (id: number, version: number, body: ShiftPatch) =>
    request<Shift>('PATCH', `/shifts/${id}`, { body, headers: { 'if-match': `"${version}"` } }).then(
      (r) => r.data,
    ),
  deleteShift: (id: number, version: number) =>
    request<null>('DELETE', `/shifts/${id}`, { headers: { 'if-match': `"${version}"` } }).then(
      () => undefined,
    ),
  publish: (body: PublishRequest) =>
    request<PublishResult>('POST', '/shifts/publish', { body }).then((r) => r.data),
  timeOff: (query: { location_id: number; from: string; to: string }, signal?: AbortSignal) =>
    request<TimeOffPage>('GET', '/time-off', { query: { ...query, limit: 500 }, signal }).then((r) => r.data),
  askTimeOff: (body: TimeOffCreate) => request<TimeOff>('POST', '/time-off', { body }).then((r) => r.data),
  decideTimeOff: (id: number, version: number, status: 'approved' | 'declined') =>
    request<TimeOff>('PATCH', `/time-off/${id}`, {
      body: { status },
      headers: { 'if-match': `"${version}"` },
    }).then((r) => r.data),
  /** The weekly availability of the location's people (employees get their own). */
  availabilityAt: (locationId: number, signal?: AbortSignal) =>
    listAll<Availability>(`/locations/${locationId}/availability`, { limit: 500 }, signal).then(
      (r) => r.data,
    ),
  availability: (userId: number, signal?: AbortSignal) =>
    request<Availability>('GET', `/users/${userId}/availability`, { signal }).then((r) => r.data),
  setAvailability: (userId: number, version: number, windows: AvailabilityWindow[]) =>
    request<Availability>('PUT', `/users/${userId}/availability`, {
      body: { windows },
      headers: { 'if-match': `"${version}"` },
    }).then((r) => r.data),
  warnings: (query: { location_id: number; start: string; end: string }, signal?: AbortSignal) =>
    request<ScheduleWarnings>('GET', '/shifts/warnings', { query, signal }).then((r) => r.data),
  copyWeek: (body: CopyWeekRequest) =>
    request<CopyWeekResult>('POST', '/shifts/copy-week', {
      body,
      headers: { 'idempotency-key': newKey() },
    }).then((r) => r.data),
};
