// What shifts needs from the users service, over HTTP only (the services never import each other):
// names for a list page in ONE batched call, cached briefly; and fresh checks of assignee, location and
// role before a write. Built on the chassis' resilient client (timeouts, retries, circuit breaker).
import type {
  Assignee,
  Availability,
  AvailabilityWindow,
  Location,
  Role,
  TimeOff,
  TimeOffPage,
  User,
  UserPage,
} from '@shiftstack/contract';
import {
  UpstreamClientError,
  UpstreamUnavailable,
  createUpstreamClient,
  type Metrics,
  type ServiceCredentials,
  type TokenIdentity,
  type UpstreamClient,
} from '@shiftstack/service-kit';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';

export interface UsersClient {
  /** Names for these ids. Never throws: when users cannot answer, `degraded` is true and names are what the cache had. */
  names(ids: number[], requestId?: string): Promise<{ names: Map<number, Assignee>; degraded: boolean }>;
  /** Fresh read for a write; null when the user does not exist. Throws UpstreamUnavailable. */
  user(id: number, requestId?: string): Promise<User | null>;
  location(id: number, requestId?: string): Promise<Location | null>;
  role(id: number, requestId?: string): Promise<Role | null>;
  /**
   * The person a token's identity signs in as (users binds it at the first sign-in), briefly cached; `why`
   * when nobody does. A write asks with `forWrite`: never the stale copy kept for when users is down.
   * Throws UpstreamUnavailable.
   */
  personSigningIn(
    identity: TokenIdentity,
    opts: { requestId?: string; forWrite: boolean },
  ): Promise<{ user: User } | { user: null; why: string }>;
  /** Forget who this person is (they were deactivated): their next request asks users again. */
  forgetPerson(userId: number): void;
  /** Which of these people are inactive now (fresh, for publishing). Throws UpstreamUnavailable. */
  inactiveAmong(ids: number[], requestId?: string): Promise<Set<number>>;
  /** This person's approved time off overlapping the days [from, to] (fresh). Throws UpstreamUnavailable. */
  approvedTimeOff(userId: number, from: string, to: string, requestId?: string): Promise<TimeOff[]>;
  /** People by id, in batches of the API's page (fresh; any status). Throws UpstreamUnavailable. */
  people(ids: number[], requestId?: string): Promise<Map<number, User>>;
  /**
   * The approved time off of everyone at a location overlapping the days [from, to], page by page (fresh).
   * Throws UpstreamUnavailable.
   */
  approvedTimeOffAt(locationId: number, from: string, to: string, requestId?: string): Promise<TimeOff[]>;
  /** The weekly availability of everyone at a location, by person (fresh). Throws UpstreamUnavailable. */
  availabilityAt(locationId: number, requestId?: string): Promise<Map<number, AvailabilityWindow[]>>;
}

export interface UsersClientOptions {
  baseUrl: string;
  timeoutMs: number;
  metrics?: Metrics;
  logger?: Logger;
  /** How long names, locations and roles are reused. */
  nameTtlMs?: number;
  referenceTtlMs?: number;
  /** How long who-is-signing-in is reused: a deactivation or a new role takes effect after at most this. */
  principalTtlMs?: number;
  breakerHalfOpenAfterMs?: number;
  /** shifts' own identity at the issuer (client credentials for the users audience). */
  credentials?: ServiceCredentials;
}

const BATCH = 500; // the users API's page and ids limit

export function createUsersClient(opts: UsersClientOptions): UsersClient {
  const http = createUpstreamClient({
    name: 'users',
    baseUrl: opts.baseUrl,
    timeoutMs: opts.timeoutMs,
    metrics: opts.metrics,
    logger: opts.logger,
    breakerHalfOpenAfterMs: opts.breakerHalfOpenAfterMs,
    credentials: opts.credentials,
  });
  const nameCache = new LRUCache<number, Assignee>({ max: 10_000, ttl: opts.nameTtlMs ?? 30_000 });
  const locationCache = new LRUCache<number, Location>({ max: 1000, ttl: opts.referenceTtlMs ?? 60_000 });
  const roleCache = new LRUCache<number, Role>({ max: 5000, ttl: opts.referenceTtlMs ?? 60_000 });
  return {
    names: (ids, requestId) => namesOf(http, nameCache, ids, requestId, opts.logger),
    user: (id, requestId) => getOrNull<User>(http, `/api/v1/users/${id}`, requestId),
    ...principals(http, opts),
    async inactiveAmong(ids, requestId) {
      const inactive = new Set<number>();
      for await (const people of byIds(http, ids, 'inactive', requestId))
        for (const u of people) inactive.add(u.id);
      return inactive;
    },
    async approvedTimeOff(userId, from, to, requestId) {
      const q = `user_id=${userId}&from=${from}&to=${to}&status=approved&limit=${BATCH}`;
      return (await http.get<TimeOffPage>(`/api/v1/time-off?${q}`, { requestId })).data;
    },
    async people(ids, requestId) {
      const found = new Map<number, User>();
      for await (const people of byIds(http, ids, 'all', requestId))
        for (const u of people) found.set(u.id, u);
      return found;
    },
    approvedTimeOffAt: (locationId, from, to, requestId) =>
      allPages<TimeOff>(
        http,
        `/api/v1/time-off?location_id=${locationId}&from=${from}&to=${to}&status=approved`,
        requestId,
      ),
    async availabilityAt(locationId, requestId) {
      const pages = await allPages<Availability>(
        http,
        `/api/v1/locations/${locationId}/availability?`,
        requestId,
      );
      return new Map(pages.map((a) => [a.user_id, a.windows]));
    },
    location: (id, requestId) => cached(http, locationCache, `/api/v1/locations/${id}`, id, requestId),
    role: (id, requestId) => cached(http, roleCache, `/api/v1/roles/${id}`, id, requestId),
  };
}

/** Every item of a listing, following meta.cursor.next a page of BATCH at a time. */
async function allPages<T>(http: UpstreamClient, path: string, requestId?: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null | undefined;
  do {
    const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await http.get<{ data: T[]; meta: { cursor: { next: string | null } } }>(
      `${path}${path.endsWith('?') ? '' : '&'}limit=${BATCH}${after}`,
      { requestId },
    );
    items.push(...page.data);
    cursor = page.meta.cursor.next;
  } while (cursor);
  return items;
}

/** People by id, a batch at a time (the users API's limit), each once. */
async function* byIds(
  http: UpstreamClient,
  ids: number[],
  status: 'all' | 'inactive',
  requestId?: string,
): AsyncGenerator<User[]> {
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += BATCH) {
    const chunk = unique.slice(i, i + BATCH).join(',');
    const page = await http.get<UserPage>(`/api/v1/users?ids=${chunk}&status=${status}&limit=${BATCH}`, {
      requestId,
    });
    yield page.data;
  }
}

/** Assignees' names, cached; when users cannot answer, the ones known so far and `degraded`. */
async function namesOf(
  http: UpstreamClient,
  cache: LRUCache<number, Assignee>,
  ids: number[],
  requestId: string | undefined,
  logger: Logger | undefined,
) {
  const names = new Map<number, Assignee>();
  const missing: number[] = [];
  for (const id of new Set(ids)) {
    const hit = cache.get(id);
    if (hit) names.set(id, hit);
    else missing.push(id);
  }
  try {
    for await (const people of byIds(http, missing, 'all', requestId))
      for (const u of people) {
        const assignee = { id: u.id, first_name: u.first_name, last_name: u.last_name };
        cache.set(u.id, assignee);
        names.set(u.id, assignee);
      }
  } catch (err) {
    if (!(err instanceof UpstreamUnavailable) && !(err instanceof UpstreamClientError)) throw err;
    logger?.warn({ err, request_id: requestId }, 'users unavailable: answering without names');
    return { names, degraded: true };
  }
  return { names, degraded: false };
}

type SigningIn = Awaited<ReturnType<UsersClient['personSigningIn']>>;

/**
 * Who is signing in, by the token's issuer and subject: fresh for principalTtlMs, but kept for ten
 * minutes, so that while users cannot answer, people who signed in recently keep reading the schedule
 * (names degraded) instead of everyone getting 503. Writes never use that stale copy.
 */
function principals(
  http: UpstreamClient,
  opts: UsersClientOptions,
): Pick<UsersClient, 'personSigningIn' | 'forgetPerson'> {
  const ttlMs = opts.principalTtlMs ?? 10_000;
  const cache = new LRUCache<string, { answer: SigningIn; at: number }>({
    max: 10_000,
    ttl: Math.max(ttlMs, 600_000),
  });
  const personSigningIn: UsersClient['personSigningIn'] = async (identity, { requestId, forWrite }) => {
    const key = `${identity.issuer} ${identity.subject}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.answer;
    const query = new URLSearchParams({
      issuer: identity.issuer,
      subject: identity.subject,
      ...(identity.email ? { email: identity.email } : {}),
      email_verified: String(identity.emailVerified),
    });
    try {
      const user = await http.get<User>(`/api/v1/users/by-identity?${query}`, { requestId });
      const answer: SigningIn = { user };
      cache.set(key, { answer, at: Date.now() });
      return answer;
    } catch (err) {
      if (err instanceof UpstreamClientError && err.status === 404) {
        const detail = (err.body as { detail?: unknown } | undefined)?.detail;
        const why = typeof detail === 'string' ? detail : 'Nobody here signs in as you.';
        return { user: null, why }; // not remembered: the next try may be bound
      }
      if (!(hit && !forWrite && err instanceof UpstreamUnavailable)) throw err;
      opts.logger?.warn(
        { request_id: requestId },
        'users unavailable: using who this caller was a moment ago',
      );
      return hit.answer;
    }
  };
  const forgetPerson = (userId: number) => {
    for (const [key, { answer }] of cache.entries()) if (answer.user?.id === userId) cache.delete(key);
  };
  return { personSigningIn, forgetPerson };
}

async function getOrNull<T>(http: UpstreamClient, path: string, requestId?: string): Promise<T | null> {
  try {
    return await http.get<T>(path, { requestId });
  } catch (err) {
    if (err instanceof UpstreamClientError && err.status === 404) return null;
    throw err;
  }
}

async function cached<T extends { id: number }>(
  http: UpstreamClient,
  cache: LRUCache<number, T>,
  path: string,
  id: number,
  requestId?: string,
) {
  const hit = cache.get(id);
  if (hit) return hit;
  const found = await getOrNull<T>(http, path, requestId);
  if (found) cache.set(id, found);
  return found;
}
