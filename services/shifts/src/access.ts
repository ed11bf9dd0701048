// Who the caller is, in the shifts service: a person's token maps by its issuer's subject to their row in
// the users service (asked with shifts' own identity, cached briefly; writes never use a stale answer); users calls with its own client-credentials
// token to open a leaver's shifts (docs/security.md has the whole table).
import {
  managesLocation,
  personPrincipal,
  type PersonPrincipal,
  type ShiftListQuery,
} from '@shiftstack/contract';
import { authenticateCallers, forbidden, type AuthConfig, type TokenVerifier } from '@shiftstack/service-kit';
import type { ShiftRow } from './db';
import type { UsersClient } from './users-client';

export function shiftsAuthentication(auth: AuthConfig, users: UsersClient, verifier?: TokenVerifier) {
  return authenticateCallers({
    auth,
    verifier,
    async findPerson(identity, request) {
      // A write acts on who the person is now; a read may use who they were a moment ago while users is down.
      const forWrite = !['GET', 'HEAD'].includes(request.method);
      const { user, ...rest } = await users.personSigningIn(identity, { requestId: request.id, forWrite });
      if (!user) return { found: null, why: 'why' in rest ? rest.why : undefined };
      return {
        found: personPrincipal(user),
        active: user.active,
        name: `${user.first_name} ${user.last_name}`,
      };
    },
  });
}

/** Refuses anyone who does not run this location. */
export function requireManages(p: PersonPrincipal, locationId: number, what: string): void {
  if (p.access === 'employee') throw forbidden(`Only managers and admins may ${what}.`);
  if (!managesLocation(p, locationId))
    throw forbidden(`You do not manage location ${locationId}, so you may not ${what} there.`);
}

/**
 * What an employee may read: published shifts at their locations, open ones only for a role they have
 * (or no role). Managers read everything at the locations they run; admins everything.
 */
export function maySeeShift(p: PersonPrincipal, shift: ShiftRow): boolean {
  if (p.access !== 'employee') return managesLocation(p, shift.location_id);
  if (!p.location_ids.includes(shift.location_id) || shift.status !== 'published') return false;
  return shift.user_id !== null || shift.role_id === null || p.role_ids.includes(shift.role_id);
}

/**
 * The part of a list a person may read: admins everything; managers their locations; employees the
 * published shifts of their locations, with open ones only for roles they have.
 */
export function readableBy(p: PersonPrincipal, q: ShiftListQuery) {
  if (p.access === 'admin') return { location_id: q.location_id, status: q.status ?? 'all' };
  if (q.location_id !== undefined && !p.location_ids.includes(q.location_id))
    throw forbidden(`You do not work at location ${q.location_id}.`);
  const location_ids = q.location_id !== undefined ? [q.location_id] : p.location_ids;
  if (p.access === 'manager') return { location_ids, status: q.status ?? 'all' };
  if (q.status === 'draft' || q.include_deleted)
    throw forbidden('Employees see the published schedule only.');
  return { location_ids, status: 'published' as const, qualified_roles: p.role_ids };
}
