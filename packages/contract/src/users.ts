import { Type, type Static } from 'typebox';
import { Cursor, FreeText, Id, Label, Limit, Page, Timestamp } from './common';

export const UserType = Type.Union(
  [Type.Literal('employee'), Type.Literal('asst_manager'), Type.Literal('manager'), Type.Literal('employer')],
  { description: 'What the person is in the business' },
);
export type UserType = Static<typeof UserType>;

const Name = Label(80);
const Email = Type.String({ format: 'email', maxLength: 155 });
const Mobile = Type.String({ minLength: 3, maxLength: 32, pattern: '^\\+?[0-9 ()\\-.]{3,32}$' });
const IanaZone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'IANA time zone, e.g. America/Toronto',
});
const CalendarDate = Type.String({ format: 'date', examples: ['2024-03-01'] });

export const User = Type.Object({
  id: Id,
  first_name: Type.String(),
  last_name: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  mobile_number: Type.Union([Type.String(), Type.Null()]),
  type: UserType,
  active: Type.Boolean(),
  inactive_reason: Type.Union([Type.String(), Type.Null()]),
  hire_date: Type.Union([CalendarDate, Type.Null()]),
  location_ids: Type.Array(Id),
  role_ids: Type.Array(Id),
  version: Type.Integer({ description: 'Increments on every change; the ETag is its quoted value' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type User = Static<typeof User>;

export const UserCreate = Type.Object(
  {
    first_name: Name,
    last_name: Name,
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    mobile_number: Type.Optional(Type.Union([Mobile, Type.Null()])),
    type: Type.Optional(UserType),
    hire_date: Type.Optional(Type.Union([CalendarDate, Type.Null()])),
    location_ids: Type.Optional(Type.Array(Id, { maxItems: 50, uniqueItems: true })),
    role_ids: Type.Optional(Type.Array(Id, { maxItems: 50, uniqueItems: true })),
  },
  { additionalProperties: false },
);
export type UserCreate = Static<typeof UserCreate>;

export const UserPatch = Type.Object(
  {
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
    email: Type.Optional(Type.Union([Email, Type.Null()])),
    mobile_number: Type.Optional(Type.Union([Mobile, Type.Null()])),
    type: Type.Optional(UserType),
    hire_date: Type.Optional(Type.Union([CalendarDate, Type.Null()])),
    location_ids: Type.Optional(Type.Array(Id, { maxItems: 50, uniqueItems: true })),
    role_ids: Type.Optional(Type.Array(Id, { maxItems: 50, uniqueItems: true })),
    active: Type.Optional(Type.Literal(true, { description: 'Reactivate a deactivated person' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatch = Static<typeof UserPatch>;

export const UserDeactivate = Type.Object(
  { inactive_reason: Type.Optional(FreeText(200, 1)) },
  { additionalProperties: false },
);

export const UserDeactivated = Type.Intersect([
  User,
  Type.Object({
    opened_shift_ids: Type.Array(Id, {
      description: "The person's future shifts, now open for someone else to take",
    }),
  }),
]);
export type UserDeactivated = Static<typeof UserDeactivated>;

export const UserStatus = Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('all')]);

export const UserListQuery = Type.Object(
  {
    location_id: Type.Optional(Id),
    role_id: Type.Optional(Id),
    type: Type.Optional(UserType),
    status: Type.Optional(UserStatus),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: "Search first/last name, and email for those who may see colleagues' email",
      }),
    ),
    email: Type.Optional(
      Type.String({ format: 'email', maxLength: 155, description: 'The person with this email (any case)' }),
    ),
    ids: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,10}(,[0-9]{1,10}){0,499}$',
        description: 'Batch read: comma-separated ids (at most 500). Any status unless `status` is given.',
      }),
    ),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type UserListQuery = Static<typeof UserListQuery>;

export const UserPage = Page(User);
export type UserPage = Static<typeof UserPage>;

const OvertimeHours = Type.Integer({
  minimum: 1,
  maximum: 168,
  description: 'Paid hours in a week past which a person is warned about as in overtime (default 40)',
});
const MinRestHours = Type.Integer({
  minimum: 0,
  maximum: 24,
  description: 'The least rest between two shifts of one person before a warning (default 11)',
});

export const Location = Type.Object({
  id: Id,
  name: Type.String(),
  timezone: IanaZone,
  overtime_hours_per_week: OvertimeHours,
  min_rest_hours: MinRestHours,
  version: Type.Integer({ description: 'Increments on every change; the ETag is its quoted value' }),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Location = Static<typeof Location>;

export const LocationCreate = Type.Object(
  {
    name: Label(120),
    timezone: IanaZone,
    overtime_hours_per_week: Type.Optional(OvertimeHours),
    min_rest_hours: Type.Optional(MinRestHours),
  },
  { additionalProperties: false },
);
export type LocationCreate = Static<typeof LocationCreate>;
export const LocationPatch = Type.Partial(LocationCreate, { additionalProperties: false, minProperties: 1 });
export type LocationPatch = Static<typeof LocationPatch>;
export const LocationPage = Page(Location);
export type LocationPage = Static<typeof LocationPage>;
export const LocationListQuery = Type.Object(
  { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);

export const Role = Type.Object({
  id: Id,
  location_id: Id,
  name: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Role = Static<typeof Role>;
export const RoleCreate = Type.Object({ location_id: Id, name: Label(80) }, { additionalProperties: false });
export type RoleCreate = Static<typeof RoleCreate>;
export const RolePage = Page(Role);
export type RolePage = Static<typeof RolePage>;
export const RoleListQuery = Type.Object(
  { location_id: Type.Optional(Id), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) },
  { additionalProperties: false },
);
