// Who the caller is, in the users service: a person's token maps by its issuer's subject to their row here
// (identities/sign-in.ts); shifts calls with its own client-credentials token (docs/security.md has the
// whole table).
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
import { personSigningIn, type SigningIn } from './identities/sign-in';
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
    async findPerson(identity) {
      const key = `${identity.issuer} ${identity.subject}`;
      const known = people.get(key);
      if (known) return known;
      const found = lookupOf(await personSigningIn(db, identity));
      // A refusal is not remembered: the same subject may come back with a verified email a moment later.
      if (found.found) people.set(key, found);
      return found;
    },
  });
  return { authenticate, forgetPeople: () => people.clear() };
}

export function lookupOf(signingIn: SigningIn): PersonLookup {
  const { row } = signingIn;
  if (!row) return { found: null, why: signingIn.why };
  return { found: personPrincipal(row), active: row.active, name: `${row.first_name} ${row.last_name}` };
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
 * The first admin: while nobody is an admin, BOOTSTRAP_ADMIN_EMAIL becomes a person of type employer (or,
 * if someone already has that email, nothing happens: an admin makes them one). Whoever signs in first with
 * that email, verified by the issuer, is bound to that person; once any admin exists the setting does
 * nothing, so it cannot make a second admin later.
 */
export async function ensureBootstrapAdmin(db: Kysely<UsersDatabase>, email: string | undefined) {
  if (!email) return;
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('shiftstack bootstrap admin'))`.execute(trx);
    const admin = await trx
      .selectFrom('users')
      .select('id')
      .where('type', '=', 'employer')
      .executeTakeFirst();
    if (admin || (await findUserByEmail(trx, email))) return;
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
