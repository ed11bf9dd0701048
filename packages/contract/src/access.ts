// Who may do what: the three kinds of access a person has (from their type in the users service), the
// principal a verified token becomes, and the location rules both services and the board apply.
// The full table, endpoint by endpoint, is in docs/security.md.
import { Type, type Static } from 'typebox';
import { User } from './users';

export * from './permissions';

export const Access = Type.Union([Type.Literal('employee'), Type.Literal('manager'), Type.Literal('admin')], {
  description:
    "What the signed-in person may do: employees read their locations' published schedule, managers run their locations, admins everything",
});

/** The signed-in person's own profile, with what they may do. */
export const Me = Type.Intersect([User, Type.Object({ access: Access })]);
export type Me = Static<typeof Me>;
