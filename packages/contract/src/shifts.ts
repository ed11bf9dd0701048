import { Type, type Static } from 'typebox';
import { Cursor, FreeText, Id, Limit, Page, Timestamp } from './common';

/** The longest a shift may be, and the widest window one list request may ask for. */
export const MAX_SHIFT_HOURS = 24;
export const MAX_LIST_WINDOW_DAYS = 42;

export const ShiftStatus = Type.Union([Type.Literal('draft'), Type.Literal('published')]);
export type ShiftStatus = Static<typeof ShiftStatus>;

export const Assignee = Type.Object({ id: Id, first_name: Type.String(), last_name: Type.String() });
export type Assignee = Static<typeof Assignee>;

export const Shift = Type.Object({
  id: Id,
  location_id: Id,
  role_id: Type.Union([Id, Type.Null()]),
  user_id: Type.Union([Id, Type.Null()], { description: 'null for an open shift' }),
  start: Timestamp,
  end: Timestamp,
  timezone: Type.String({ description: "The location's IANA time zone when the shift was created" }),
  break_minutes: Type.Integer(),
  notes: Type.Union([Type.String(), Type.Null()]),
  status: ShiftStatus,
  published_at: Type.Union([Timestamp, Type.Null()]),
  deleted_at: Type.Union([Timestamp, Type.Null()]),
  version: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
  assignee: Type.Optional(
    Type.Union([Assignee, Type.Null()], {
      description:
        'Name of the assigned person, added from the users service on lists; null when unknown or degraded',
    }),
  ),
});
export type Shift = Static<typeof Shift>;

const Notes = FreeText(1000);
const BreakMinutes = Type.Integer({ minimum: 0, maximum: 720 });

export const ShiftCreate = Type.Object(
  {
    location_id: Id,
    role_id: Type.Optional(Type.Union([Id, Type.Null()])),
    user_id: Type.Optional(Type.Union([Id, Type.Null()], { description: 'Omit or null for an open shift' })),
    start: Timestamp,
    end: Timestamp,
    break_minutes: Type.Optional(BreakMinutes),
    notes: Type.Optional(Type.Union([Notes, Type.Null()])),
    status: Type.Optional(ShiftStatus),
  },
  { additionalProperties: false },
);
export type ShiftCreate = Static<typeof ShiftCreate>;

export const ShiftPatch = Type.Object(
  {
    role_id: Type.Optional(Type.Union([Id, Type.Null()])),
    user_id: Type.Optional(Type.Union([Id, Type.Null()])),
    start: Type.Optional(Timestamp),
    end: Type.Optional(Timestamp),
    break_minutes: Type.Optional(BreakMinutes),
    notes: Type.Optional(Type.Union([Notes, Type.Null()])),
    status: Type.Optional(ShiftStatus),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type ShiftPatch = Static<typeof ShiftPatch>;

export const ShiftListQuery = Type.Object(
  {
    'start[gte]': Timestamp,
    'start[lt]': Timestamp,
    location_id: Type.Optional(Id),
    user_id: Type.Optional(Id),
    role_id: Type.Optional(Id),
    open: Type.Optional(Type.Boolean({ description: 'true: only open shifts; false: only assigned ones' })),
    status: Type.Optional(Type.Union([ShiftStatus, Type.Literal('all')], { default: 'all' })),
    include_deleted: Type.Optional(Type.Boolean({ default: false })),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type ShiftListQuery = Static<typeof ShiftListQuery>;

export const ShiftPage = Page(
  Shift,
  Type.Object({
    degraded: Type.Optional(
      Type.Boolean({ description: 'true when assignee names could not be fetched from the users service' }),
    ),
  }),
);
export type ShiftPage = Static<typeof ShiftPage>;

export const PublishRequest = Type.Object(
  { location_id: Id, start: Timestamp, end: Timestamp },
  { additionalProperties: false },
);
export type PublishRequest = Static<typeof PublishRequest>;

export const PublishResult = Type.Object({
  location_id: Id,
  start: Timestamp,
  end: Timestamp,
  published_count: Type.Integer({ description: 'Draft shifts that became published' }),
  shift_ids: Type.Array(Id),
  held_back_shift_ids: Type.Array(Id, {
    description: 'Drafts left unpublished because their assignee is no longer active: reassign them first',
  }),
});
export type PublishResult = Static<typeof PublishResult>;

const WeekStart = (description: string) =>
  Type.String({ format: 'date', description: `${description} (a Monday, in the location's time zone)` });

export const CopyWeekRequest = Type.Object(
  {
    location_id: Id,
    from_week: WeekStart('The first day of the week to copy'),
    to_week: WeekStart('The first day of the week to copy into'),
    role_ids: Type.Optional(
      Type.Array(Id, {
        maxItems: 100,
        uniqueItems: true,
        description: 'Copy only shifts of these roles (default: every shift)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CopyWeekRequest = Static<typeof CopyWeekRequest>;

export const CopySkipReason = Type.Union([Type.Literal('overlap'), Type.Literal('already-there')]);

export const CopyWeekResult = Type.Object({
  location_id: Id,
  from_week: Type.String({ format: 'date' }),
  to_week: Type.String({ format: 'date' }),
  created_count: Type.Integer({ description: 'Draft shifts created in the target week' }),
  shift_ids: Type.Array(Id, { description: 'The new drafts' }),
  skipped: Type.Array(
    Type.Object({
      source_shift_id: Id,
      reason: CopySkipReason,
      detail: Type.String({ description: 'What was skipped and why, in plain words' }),
    }),
    {
      description:
        'Shifts not copied: their assignee already works then (overlap), or the same shift is already in the target week (already-there)',
    },
  ),
  opened: Type.Array(Type.Object({ source_shift_id: Id, shift_id: Id, user_id: Id, detail: Type.String() }), {
    description:
      'Shifts copied as open shifts because their assignee can no longer work them (left, moved location, lost the role)',
  }),
});
export type CopyWeekResult = Static<typeof CopyWeekResult>;

export const ScheduleWarningsQuery = Type.Object(
  { location_id: Id, start: Timestamp, end: Timestamp },
  { additionalProperties: false },
);
export type ScheduleWarningsQuery = Static<typeof ScheduleWarningsQuery>;

export const ScheduleWarningKind = Type.Union([
  Type.Literal('overtime'),
  Type.Literal('short-rest'),
  Type.Literal('missing-role'),
  Type.Literal('outside-availability'),
]);

export const ScheduleWarning = Type.Object({
  kind: ScheduleWarningKind,
  user_id: Id,
  shift_ids: Type.Array(Id, { description: 'The shifts the warning is about' }),
  detail: Type.String({ description: 'The warning in plain words, naming the person' }),
  hours: Type.Optional(
    Type.Number({
      description: 'overtime: paid hours in the window; short-rest: hours of rest between the two',
    }),
  ),
  limit_hours: Type.Optional(
    Type.Integer({ description: "The location's overtime line or least rest that was crossed" }),
  ),
});
export type ScheduleWarning = Static<typeof ScheduleWarning>;

export const ScheduleWarnings = Type.Object({
  location_id: Id,
  start: Timestamp,
  end: Timestamp,
  warnings: Type.Array(ScheduleWarning),
});
export type ScheduleWarnings = Static<typeof ScheduleWarnings>;

/** The body of a 409 `shift-overlap` problem, beyond the RFC 9457 members. */
export interface ShiftOverlapProblem {
  code: 'shift-overlap';
  conflicting_shift_ids: number[];
  conflicts: Array<{ id: number; user_id: number; start: string; end: string }>;
}

/** users -> shifts when a person is deactivated: their future shifts become open shifts. */
export const UnassignRequest = Type.Object({ user_id: Id }, { additionalProperties: false });
export const UnassignResult = Type.Object({
  user_id: Id,
  shift_ids: Type.Array(Id, { description: 'The future shifts that were theirs and are now open' }),
});
export type UnassignResult = Static<typeof UnassignResult>;
