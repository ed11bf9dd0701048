// Who the caller is, in the users service: a person's token maps by email to their row here; shifts calls
// with its own client-credentials token (docs/security.md has the whole table).
import {
  ServiceScopes,
  managesLocation,
  personPrincipal,
  type PersonPrincipal,
  type User,
} from '@shiftstack/contract';
import {
  allowService,
  authenticateCallers,
  forbidden,
  type AuthConfig,
  type PersonLookup,
  type TokenVerifier,
} from '@shiftstack/service-kit';
import type { FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { UsersDatabase } from './db';
import { findUserByEmail, insertUser } from './users/queries';

/**
 * How long this replica reuses what it looked up about a token's person. A change made here (any write)
 * forgets every entry at once; another replica's change is seen within this time. Without it, every
 * request read the caller's row before the row it asked for: half the database work of a get-by-id.
 */
export const PERSON_CACHE_MS = 5_000;

export function usersAuthentication(auth: AuthConfig, db: Kysely<UsersDatabase>, verifier?: TokenVerifier) {
  const people = new LRUCache<string, PersonLookup>({ max: 10_000, ttl: PERSON_CACHE_MS });
  const authenticate = authenticateCallers({
    auth,
    verifier,
    async findPerson(email) {
      const known = people.get(email);
      if (known) return known;
      const row = await findUserByEmail(db, email);
      const found: PersonLookup = row
        ? { found: personPrincipal(row), active: row.active, name: `${row.first_name} ${row.last_name}` }
        : { found: null };
      people.set(email, found);
      return found;
    },
  });
  return { authenticate, forgetPeople: () => people.clear() };
}

/** Reads shifts may make with its own identity (names, assignee checks); anyone signed in otherwise. */
export const readerOf = (request: FastifyRequest) => allowService(request, ServiceScopes.readPeople);

/** The locations a reader may see: undefined means all (admins and services). */
export function visibleLocations(reader: PersonPrincipal | 'service'): number[] | undefined {
  return reader === 'service' || reader.access === 'admin' ? undefined : reader.location_ids;
}

/** Refuses a person who does not run every one of these locations. */
export function requireManages(p: PersonPrincipal, locationIds: number[], what: string): void {
  const outside = locationIds.filter((id) => !managesLocation(p, id));
  if (p.access === 'employee') throw forbidden(`Only managers and admins may ${what}.`);
  if (outside.length > 0)
    throw forbidden(`You do not manage location ${outside.join(', ')}, so you may not ${what} there.`);
}

export function requireAdmin(p: PersonPrincipal, what: string): void {
  if (p.access !== 'admin') throw forbidden(`Only admins may ${what}.`);
}

/**
 * What a reader sees of a person: everything for themselves, their managers and admins; colleagues and
 * services see names, locations and roles, not contact details.
 */
export function asSeenBy(reader: PersonPrincipal | 'service', user: User): User {
  if (reader !== 'service') {
    if (reader.id === user.id || reader.access === 'admin') return user;
    if (reader.access === 'manager' && user.location_ids.some((id) => reader.location_ids.includes(id)))
      return user;
  }
  return { ...user, email: null, mobile_number: null, hire_date: null, inactive_reason: null };
}

/** Whether a person may see this one at all: admins and services anyone; others people sharing a location. */
export function maySee(
  reader: PersonPrincipal | 'service',
  user: Pick<User, 'id' | 'location_ids'>,
): boolean {
  const within = visibleLocations(reader);
  return (
    !within ||
    (reader !== 'service' && reader.id === user.id) ||
    user.location_ids.some((id) => within.includes(id))
  );
}

/**
 * The first admin: BOOTSTRAP_ADMIN_EMAIL becomes a person of type employer if nobody has that email yet,
 * so a new installation has someone who may sign in and add everyone else.
 */
export async function ensureBootstrapAdmin(db: Kysely<UsersDatabase>, email: string | undefined) {
  if (!email) return;
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('shiftstack bootstrap admin'))`.execute(trx);
    if (await findUserByEmail(trx, email)) return;
    await insertUser(
      trx,
      { first_name: 'Admin', last_name: 'Bootstrap', email, type: 'employer' },
      { location_ids: [], role_ids: [] },
    );
  });
}

/** The person themselves, a manager of one of their locations, or an admin (services too, when reading). */
export function requireSelfOrManager(
  reader: PersonPrincipal | 'service',
  person: { id: number; location_ids: number[] },
  what: string,
): void {
  if (reader === 'service' || reader.id === person.id || reader.access === 'admin') return;
  const runs =
    reader.access === 'manager' && person.location_ids.some((l) => reader.location_ids.includes(l));
  if (!runs) throw forbidden(`Only this person, their managers and admins may ${what}.`);
}
