// Copying a location's week into another as drafts: one request, one transaction. Each shift keeps its
// local wall-clock times on the same weekday (so a week across a DST change still starts at 09:00), its
// role, break and notes. What cannot be copied is said, not silently dropped:
// - its assignee already works then (the overlap rule: the exclusion constraint, see rules.ts): skipped;
// - the same shift is already in the target week (a copy repeated): skipped, so copying twice adds nothing;
// - its assignee can no longer work it (left, moved, lost the role, approved time off): copied open.
import type {
  CopyWeekRequest,
  CopyWeekResult,
  Location,
  PersonPrincipal,
  TimeOff,
  User,
} from '@shiftstack/contract';
import {
  addDays,
  dayKeyInZone,
  daysBetween,
  sameTimeDaysLater,
  timeInZone,
  weekStart,
  weekWindow,
} from '@shiftstack/contract/time';
import {
  ProblemError,
  validateIdempotencyKey,
  withIdempotency,
  type StoredResponse,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { requireManages } from '../access';
import type { ShiftRow, ShiftsDatabase } from '../db';
import { insertShift, liveShiftsIn, overlapping, type ShiftValues } from '../shifts/queries';
import { existingLocation, isOverlap } from '../shifts/references';
import type { UsersClient } from '../users-client';

export async function copyWeek(
  deps: { db: Kysely<ShiftsDatabase>; users: UsersClient },
  p: PersonPrincipal,
  b: CopyWeekRequest,
  idempotencyKey: string | undefined,
  requestId: string,
): Promise<StoredResponse<CopyWeekResult>> {
  requireManages(p, b.location_id, 'copy shifts');
  const key = validateIdempotencyKey(idempotencyKey);
  checkWeeks(b);
  const location = await existingLocation(deps.users, b.location_id, requestId);
  const source = await liveShiftsIn(
    deps.db,
    b.location_id,
    weekWindow(b.from_week, location.timezone),
    b.role_ids,
  );
  const people = await assigneesOf(deps.users, b.location_id, source, b.to_week, requestId);
  const scope = 'POST /api/v1/shifts/copy-week';
  return withIdempotency(deps.db, { scope, caller: p, key, request: b }, async (trx) => ({
    status: 200,
    body: await copyInto(trx, b, location, source, people),
  })).catch((err: unknown) => {
    // Someone else booked one of these people meanwhile: nothing was copied; trying again skips it.
    if (isOverlap(err))
      throw new ProblemError({
        status: 409,
        code: 'shift-overlap',
        detail: 'The week changed while copying, so nothing was copied. Copy it again.',
      });
    throw err;
  });
}

function checkWeeks(b: CopyWeekRequest): void {
  for (const param of ['from_week', 'to_week'] as const) {
    if (weekStart(b[param]) !== b[param])
      throw new ProblemError({
        status: 400,
        code: 'validation-failed',
        param,
        detail: `${param} must be the Monday a week starts on; ${b[param]} is not a Monday.`,
      });
  }
  if (b.from_week === b.to_week)
    throw new ProblemError({
      status: 400,
      code: 'validation-failed',
      param: 'to_week',
      detail: 'Copy a week into another week: from_week and to_week are the same.',
    });
}

/**
 * The people assigned in the source week, fresh from users, with their approved time off in the target
 * week: one batched read of the people and one listing of the location's time off, not a call per person.
 */
async function assigneesOf(
  users: UsersClient,
  locationId: number,
  rows: ShiftRow[],
  toWeek: string,
  requestId: string,
): Promise<People> {
  const ids = [...new Set(rows.flatMap((r) => (r.user_id ? [r.user_id] : [])))];
  if (ids.length === 0) return new Map();
  const lastDay = addDays(toWeek, 7); // a Sunday night shift ends on Monday
  const [people, leave] = await Promise.all([
    users.people(ids, requestId),
    users.approvedTimeOffAt(locationId, toWeek, lastDay, requestId),
  ]);
  return new Map(
    ids.map((id) => [id, { user: people.get(id) ?? null, leave: leave.filter((t) => t.user_id === id) }]),
  );
}

/** Each assignee (user null: no longer exists) and their approved time off in the target week. */
type People = Map<number, { user: User | null; leave: TimeOff[] }>;

const nameOf = (people: People, id: number) => {
  const person = people.get(id)?.user;
  return person ? `${person.first_name} ${person.last_name}` : `User ${id}`;
};

/** Why this person can no longer work this shift, if they cannot. */
function reasonCannotWork(people: People, location: Location, row: ShiftRow, days: string[]) {
  const userId = row.user_id!;
  const roleId = row.role_id;
  const person = people.get(userId)?.user;
  const name = nameOf(people, userId);
  if (!person) return `${name} no longer exists`;
  if (!person.active) return `${name} is no longer active`;
  if (!person.location_ids.includes(location.id)) return `${name} no longer works at ${location.name}`;
  if (roleId !== null && !person.role_ids.includes(roleId)) return `${name} no longer has this shift's role`;
  const onLeave = people
    .get(userId)
    ?.leave.some((l) => days.some((d) => d >= l.start_date && d <= l.end_date));
  if (onLeave) return `${name} is on approved time off then`;
  return undefined;
}

interface Copying {
  trx: Kysely<ShiftsDatabase>;
  location: Location;
  days: number;
  people: People;
  /** What the target week already has, by signature; used up as copies match it. */
  present: Map<string, number>;
  result: CopyWeekResult;
}

async function copyInto(
  trx: Kysely<ShiftsDatabase>,
  b: CopyWeekRequest,
  location: Location,
  source: ShiftRow[],
  people: People,
): Promise<CopyWeekResult> {
  const days = daysBetween(b.from_week, b.to_week);
  const present = signatures(
    await liveShiftsIn(trx, b.location_id, weekWindow(b.to_week, location.timezone)),
  );
  const result: CopyWeekResult = {
    location_id: b.location_id,
    from_week: b.from_week,
    to_week: b.to_week,
    created_count: 0,
    shift_ids: [],
    skipped: [],
    opened: [],
  };
  const copying: Copying = { trx, location, days, people, present, result };
  for (const row of source) await copyOne(copying, row);
  result.created_count = result.shift_ids.length;
  return result;
}

async function copyOne({ trx, location, days, people, present, result }: Copying, row: ShiftRow) {
  const tz = location.timezone;
  const start_at = sameTimeDaysLater(row.start_at, days, tz);
  const end_at = sameTimeDaysLater(row.end_at, days, tz);
  const touched = [dayKeyInZone(start_at, tz), dayKeyInZone(new Date(end_at.getTime() - 1), tz)];
  const why = row.user_id ? reasonCannotWork(people, location, row, touched) : undefined;
  const user_id = why ? null : row.user_id;
  const values: ShiftValues = {
    ...{ location_id: row.location_id, role_id: row.role_id, user_id, start_at, end_at, timezone: tz },
    ...{ break_minutes: row.break_minutes, notes: row.notes, status: 'draft' },
  };
  const when = `${dayKeyInZone(start_at, tz)} at ${timeInZone(start_at, tz)}`;
  const signature = signatureOf(values);
  const already = present.get(signature) ?? 0;
  if (already > 0) {
    present.set(signature, already - 1);
    const detail = `The shift on ${when} is already in that week.`;
    return result.skipped.push({ source_shift_id: row.id, reason: 'already-there', detail });
  }
  if (user_id && (await overlapping(trx, user_id, start_at, end_at)).length > 0) {
    const detail = `${nameOf(people, user_id)} already works on ${when}.`;
    return result.skipped.push({ source_shift_id: row.id, reason: 'overlap', detail });
  }
  const created = await insertShift(trx, values);
  result.shift_ids.push(created.id);
  if (why && row.user_id) {
    const detail = `${why}, so the shift on ${when} was copied as an open shift.`;
    result.opened.push({ source_shift_id: row.id, shift_id: created.id, user_id: row.user_id, detail });
  }
}

const signatureOf = (v: {
  role_id: number | null;
  user_id: number | null;
  start_at: Date | string;
  end_at: Date | string;
}) => [v.role_id, v.user_id, new Date(v.start_at).getTime(), new Date(v.end_at).getTime()].join('|');

/** How many live shifts of each kind the week already has (two identical open shifts are two). */
function signatures(rows: ShiftRow[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(signatureOf(r), (counts.get(signatureOf(r)) ?? 0) + 1);
  return counts;
}
