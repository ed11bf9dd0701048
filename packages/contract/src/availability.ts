// When people can work: each person's recurring weekly availability and their time off (requested by
// them or a manager, approved or declined by a manager of their location). Kept by the users service;
// the shifts service refuses a shift during approved time off and warns about one outside availability.
import { Type, type Static } from 'typebox';
import { Cursor, FreeText, Id, Limit, Page, Timestamp } from './common';

const TimeOfDay = (description: string) =>
  Type.String({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$', examples: ['09:00'], description });
const Day = (description: string) => Type.String({ format: 'date', examples: ['2026-12-24'], description });

export const AvailabilityWindow = Type.Object(
  {
    weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday' }),
    start: TimeOfDay('From, local time where the shift is'),
    end: TimeOfDay('Until (24:00 = the end of the day); after start'),
  },
  { additionalProperties: false },
);
export type AvailabilityWindow = Static<typeof AvailabilityWindow>;

const Windows = Type.Array(AvailabilityWindow, {
  maxItems: 50,
  description: 'When the person can work each week; none at all means any time',
});

export const Availability = Type.Object({
  user_id: Id,
  windows: Windows,
  version: Type.Integer({ description: 'Increments on every change; the ETag is its quoted value' }),
});
export type Availability = Static<typeof Availability>;

/** The availability of a location's active people, one entry per person in id order. */
export const LocationAvailabilityQuery = Type.Object(
  {
    user_id: Type.Optional(Id),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type LocationAvailabilityQuery = Static<typeof LocationAvailabilityQuery>;

export const AvailabilityPage = Page(Availability);
export type AvailabilityPage = Static<typeof AvailabilityPage>;

export const AvailabilityPut = Type.Object({ windows: Windows }, { additionalProperties: false });
export type AvailabilityPut = Static<typeof AvailabilityPut>;

export const TimeOffStatus = Type.Union([
  Type.Literal('requested'),
  Type.Literal('approved'),
  Type.Literal('declined'),
]);
export type TimeOffStatus = Static<typeof TimeOffStatus>;

export const TimeOff = Type.Object({
  id: Id,
  user_id: Id,
  start_date: Day('The first day off'),
  end_date: Day('The last day off (the same as start_date for one day)'),
  reason: Type.Union([Type.String(), Type.Null()]),
  status: TimeOffStatus,
  decided_by: Type.Union([Id, Type.Null()], { description: 'Who approved or declined it' }),
  decided_at: Type.Union([Timestamp, Type.Null()]),
  version: Type.Integer(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type TimeOff = Static<typeof TimeOff>;

export const TimeOffCreate = Type.Object(
  {
    user_id: Type.Optional(Id), // whose time off; the caller's when left out
    start_date: Day('The first day off'),
    end_date: Day('The last day off'),
    reason: Type.Optional(FreeText(500)),
  },
  { additionalProperties: false },
);
export type TimeOffCreate = Static<typeof TimeOffCreate>;

export const TimeOffDecision = Type.Object(
  { status: Type.Union([Type.Literal('approved'), Type.Literal('declined')]) },
  { additionalProperties: false },
);
export type TimeOffDecision = Static<typeof TimeOffDecision>;

export const TimeOffListQuery = Type.Object(
  {
    from: Day('Time off that ends on or after this day'),
    to: Day('Time off that starts on or before this day (at most 366 days after from)'),
    user_id: Type.Optional(Id),
    location_id: Type.Optional(Id),
    status: Type.Optional(TimeOffStatus),
    limit: Type.Optional(Limit),
    cursor: Type.Optional(Cursor),
  },
  { additionalProperties: false },
);
export type TimeOffListQuery = Static<typeof TimeOffListQuery>;

export const TimeOffPage = Page(TimeOff);
export type TimeOffPage = Static<typeof TimeOffPage>;
