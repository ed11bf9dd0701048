// The rules of who may do what, as plain functions with no schema library, so that the board can apply
// them too (to show only the controls a person may use). docs/security.md has the whole table.

/** What the signed-in person may do: employees read, managers run their locations, admins everything. */
export type Access = 'employee' | 'manager' | 'admin';
type UserType = 'employee' | 'asst_manager' | 'manager' | 'employer';

/** Assistant managers run their locations like managers; the employer is the admin. */
export function accessOf(type: UserType): Access {
  if (type === 'employer') return 'admin';
  if (type === 'manager' || type === 'asst_manager') return 'manager';
  return 'employee';
}

/** A person signed in through the issuer, resolved to their row in the users service. */
export interface PersonPrincipal {
  kind: 'person';
  id: number;
  access: Access;
  location_ids: number[];
  role_ids: number[];
}

/** Another service calling with its own client-credentials token. */
export interface ServicePrincipal {
  kind: 'service';
  client_id: string;
  scopes: string[];
}

export type Principal = PersonPrincipal | ServicePrincipal;

/** The scopes services grant each other: shifts reads people, users opens a leaver's future shifts. */
export const ServiceScopes = {
  readPeople: 'users:read',
  openShifts: 'shifts:unassign',
} as const;

export function personPrincipal(user: {
  id: number;
  type: UserType;
  location_ids: number[];
  role_ids: number[];
}): PersonPrincipal {
  return {
    kind: 'person',
    id: user.id,
    access: accessOf(user.type),
    location_ids: user.location_ids,
    role_ids: user.role_ids,
  };
}

/** Whether the person runs this location: its manager, or an admin. */
export function managesLocation(p: PersonPrincipal, locationId: number): boolean {
  return p.access === 'admin' || (p.access === 'manager' && p.location_ids.includes(locationId));
}

/** Whether the person works at (or, as an admin, oversees) this location. */
export function belongsTo(p: PersonPrincipal, locationId: number): boolean {
  return p.access === 'admin' || p.location_ids.includes(locationId);
}
