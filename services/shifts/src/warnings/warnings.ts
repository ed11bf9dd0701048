// What a manager should know before publishing a location's week, none of which stops them: who goes past
// the location's overtime line (paid hours: length less break, at every location they work), who gets less
// rest between two shifts than the location's minimum, who works a shift without its role (their roles
// changed after it was planned), and who works outside the weekly availability they gave. Thresholds are
// the location's own, kept by the users service, like each person's availability.
import type {
  Location,
  PersonPrincipal,
  ScheduleWarning,
  ScheduleWarnings,
  ScheduleWarningsQuery,
  User,
  AvailabilityWindow,
} from '@shiftstack/contract';
import { paidHours, withinAvailability } from '@shiftstack/contract/time';
import type { Kysely } from 'kysely';
import { requireManages } from '../access';
import type { ShiftRow, ShiftsDatabase } from '../db';
import { liveShiftsIn, shiftsOfPeople } from '../shifts/queries';
import { existingLocation } from '../shifts/references';
import { checkWindow } from '../shifts/rules';
import type { UsersClient } from '../users-client';

const HOUR = 3_600_000;

export async function scheduleWarnings(
  deps: { db: Kysely<ShiftsDatabase>; users: UsersClient },
  p: PersonPrincipal,
  q: ScheduleWarningsQuery,
  requestId: string,
): Promise<ScheduleWarnings> {
  requireManages(p, q.location_id, 'read schedule warnings');
  const window = { start: new Date(q.start), end: new Date(q.end) };
  checkWindow(window.start, window.end, { from: 'start', to: 'end' });
  const location = await existingLocation(deps.users, q.location_id, requestId);
  const here = (await liveShiftsIn(deps.db, q.location_id, window)).filter((s) => s.user_id !== null);
  const ids = [...new Set(here.map((s) => s.user_id!))];
  // One batched read each, not one per person: a busy week has hundreds of assignees.
  const [people, windows, theirs] = await Promise.all([
    deps.users.people(ids, requestId),
    ids.length > 0 ? deps.users.availabilityAt(q.location_id, requestId) : new Map<number, never>(),
    shiftsOfPeople(deps.db, ids, { start: new Date(window.start.getTime() - 24 * HOUR), end: window.end }),
  ]);
  const warnings = ids.flatMap((id) => {
    const mine = theirs.filter((s) => s.user_id === id);
    const person = people.get(id) ?? null;
    const name = person ? `${person.first_name} ${person.last_name}` : `Person ${id}`;
    const at = here.filter((s) => s.user_id === id);
    return [
      ...overtime(id, name, mine, window, location),
      ...shortRest(id, name, mine, at, location),
      ...missingRole(id, name, at, person),
      ...outsideAvailability(id, name, at, windows.get(id) ?? [], location.timezone),
    ];
  });
  return { location_id: q.location_id, start: q.start, end: q.end, warnings };
}

const round1 = (h: number) => Math.round(h * 10) / 10;

function overtime(
  id: number,
  name: string,
  mine: ShiftRow[],
  window: { start: Date; end: Date },
  location: Location,
): ScheduleWarning[] {
  const inWindow = mine.filter((s) => Date.parse(s.start_at) >= window.start.getTime());
  const hours = round1(
    inWindow.reduce((sum, s) => sum + paidHours(s.start_at, s.end_at, s.break_minutes), 0),
  );
  const limit = location.overtime_hours_per_week;
  if (hours <= limit) return [];
  return [
    {
      kind: 'overtime',
      user_id: id,
      shift_ids: inWindow.map((s) => s.id),
      hours,
      limit_hours: limit,
      detail: `${name} works ${hours} h this week, past ${location.name}'s overtime line of ${limit} h.`,
    },
  ];
}

/** Consecutive shifts of one person with too little rest between, where at least one is at this location. */
function shortRest(
  id: number,
  name: string,
  mine: ShiftRow[],
  here: ShiftRow[],
  location: Location,
): ScheduleWarning[] {
  const limit = location.min_rest_hours;
  const ours = new Set(here.map((s) => s.id));
  const out: ScheduleWarning[] = [];
  for (let i = 1; i < mine.length; i++) {
    const [before, after] = [mine[i - 1]!, mine[i]!];
    const rest = (Date.parse(after.start_at) - Date.parse(before.end_at)) / HOUR;
    if (rest >= limit || (!ours.has(before.id) && !ours.has(after.id))) continue;
    out.push({
      kind: 'short-rest',
      user_id: id,
      shift_ids: [before.id, after.id],
      hours: round1(rest),
      limit_hours: limit,
      detail: `${name} has ${round1(rest)} h of rest between two shifts; ${location.name} asks for at least ${limit} h.`,
    });
  }
  return out;
}

function missingRole(id: number, name: string, here: ShiftRow[], person: User | null): ScheduleWarning[] {
  const lacking = here.filter((s) => s.role_id !== null && !(person?.role_ids ?? []).includes(s.role_id));
  if (lacking.length === 0) return [];
  return [
    {
      kind: 'missing-role',
      user_id: id,
      shift_ids: lacking.map((s) => s.id),
      detail: `${name} no longer has the role of ${lacking.length === 1 ? 'one shift' : `${lacking.length} shifts`} given to them.`,
    },
  ];
}

/** Shifts outside the person's weekly availability (none given: any time is fine). */
function outsideAvailability(
  id: number,
  name: string,
  here: ShiftRow[],
  windows: AvailabilityWindow[],
  tz: string,
): ScheduleWarning[] {
  const outside = here.filter((s) => !withinAvailability(windows, s.start_at, s.end_at, tz));
  if (outside.length === 0) return [];
  return [
    {
      kind: 'outside-availability',
      user_id: id,
      shift_ids: outside.map((s) => s.id),
      detail: `${name} works ${outside.length === 1 ? 'a shift' : `${outside.length} shifts`} outside the availability they gave.`,
    },
  ];
}
