// Who may do what: the three kinds of access a person has (from their type in the users service), the
// principal a verified token becomes, and the location rules both services and the board apply.
// The full table, endpoint by endpoint, is in docs/security.md.
import { Type, type Static } from 'typebox';
import { User, type UserType } from './users';

export const Access = Type.Union([Type.Literal('employee'), Type.Literal('manager'), Type.Literal('admin')], {
  description:
    "What the signed-in person may do: employees read their locations' published schedule, managers run their locations, admins everything",
});
export type Access = Static<typeof Access>;

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

export function personPrincipal(user: Pick<User, 'id' | 'type' | 'location_ids' | 'role_ids'>): PersonPrincipal {
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

/** The signed-in person's own profile, with what they may do. */
export const Me = Type.Intersect([User, Type.Object({ access: Access })]);
export type Me = Static<typeof Me>;
