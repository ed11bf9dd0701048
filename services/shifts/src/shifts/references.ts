// The checks a shift needs from outside its own table: its location, role and assignee, asked of the users
// service before anything is written; and the database's overlap refusal, told as a 409 naming the shifts
// it collides with (the rule itself lives in the exclusion constraint: see rules.ts).
import { managesLocation, type PersonPrincipal, type ShiftOverlapProblem } from '@shiftstack/contract';
import { dayKeyInZone } from '@shiftstack/contract/time';
import { ProblemError, pgError } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { ShiftsDatabase } from '../db';
import type { UsersClient } from '../users-client';
import { overlapping } from './queries';

const unprocessable = (
  code:
    | 'unknown-assignee'
    | 'inactive-assignee'
    | 'assignee-not-at-location'
    | 'assignee-lacks-role'
    | 'assignee-on-leave'
    | 'unknown-location'
    | 'unknown-role',
  param: string,
  detail: string,
) => new ProblemError({ status: 422, code, param, detail });

/** The location a write names, fresh enough from users (cached briefly); 422 when it does not exist. */
export async function existingLocation(users: UsersClient, locationId: number, requestId: string) {
  const location = await users.location(locationId, requestId);
  if (!location)
    throw unprocessable('unknown-location', 'location_id', `Location ${locationId} does not exist.`);
  return location;
}

export /**
 * Checks location, role and assignee with the users service (in parallel) before anything is written.
 * Returns the location's time zone. If users cannot answer, UpstreamUnavailable propagates: 503, nothing written.
 */
async function checkReferences(
  users: UsersClient,
  refs: {
    location_id: number;
    role_id?: number | null;
    user_id?: number | null;
    /** When given, an assignee on approved time off on any day of it is refused. */
    when?: { start_at: Date; end_at: Date };
  },
  requestId: string,
): Promise<{ timezone: string }> {
  const [location, role, user] = await Promise.all([
    existingLocation(users, refs.location_id, requestId),
    refs.role_id ? users.role(refs.role_id, requestId) : undefined,
    refs.user_id ? users.user(refs.user_id, requestId) : undefined,
  ]);
  if (refs.role_id && (!role || role.location_id !== refs.location_id)) {
    throw unprocessable(
      'unknown-role',
      'role_id',
      `Role ${refs.role_id} does not exist at ${location.name}.`,
    );
  }
  if (refs.user_id) {
    if (!user) throw unprocessable('unknown-assignee', 'user_id', `User ${refs.user_id} does not exist.`);
    const name = `${user.first_name} ${user.last_name}`;
    if (!user.active)
      throw unprocessable('inactive-assignee', 'user_id', `${name} is inactive and cannot be given shifts.`);
    if (!user.location_ids.includes(refs.location_id)) {
      throw unprocessable(
        'assignee-not-at-location',
        'user_id',
        `${name} does not work at ${location.name}.`,
      );
    }
    if (role && !user.role_ids.includes(role.id)) {
      throw unprocessable(
        'assignee-lacks-role',
        'role_id',
        `${name} does not have the ${role.name} role, so cannot work this ${role.name} shift. Give them the role first, or choose someone who has it.`,
      );
    }
    if (refs.when) await checkNotOnLeave(users, user, name, refs.when, location.timezone, requestId);
  }
  return { timezone: location.timezone };
}

/** Refuses a shift on any day (in the location's zone) of the assignee's approved time off. */
async function checkNotOnLeave(
  users: UsersClient,
  user: { id: number },
  name: string,
  when: { start_at: Date; end_at: Date },
  timezone: string,
  requestId: string,
) {
  const first = dayKeyInZone(when.start_at, timezone);
  const last = dayKeyInZone(new Date(when.end_at.getTime() - 1), timezone);
  const [leave] = await users.approvedTimeOff(user.id, first, last, requestId);
  if (!leave) return;
  const days =
    leave.start_date === leave.end_date
      ? `on ${leave.start_date}`
      : `from ${leave.start_date} to ${leave.end_date}`;
  throw unprocessable(
    'assignee-on-leave',
    'user_id',
    `${name} is on approved time off ${days}: choose someone else or leave the shift open.`,
  );
}

/**
 * Turns the exclusion constraint's refusal into a 409 naming the shifts it collides with: those the caller
 * manages by id and time; one at a location they do not run only as "at another location".
 */
export async function overlapProblem(
  db: Kysely<ShiftsDatabase>,
  p: PersonPrincipal,
  v: { user_id: number | null; start_at: Date; end_at: Date },
  exceptId?: number,
) {
  const all = v.user_id ? await overlapping(db, v.user_id, v.start_at, v.end_at, exceptId) : [];
  const conflicts = all.filter((c) => managesLocation(p, c.location_id));
  const elsewhere = all.length - conflicts.length;
  const body: Omit<ShiftOverlapProblem, 'code'> = {
    conflicting_shift_ids: conflicts.map((c) => c.id),
    conflicts: conflicts.map((c) => ({
      id: c.id,
      user_id: c.user_id!,
      start: c.start_at,
      end: c.end_at,
    })),
  };
  const named = [
    ...(conflicts.length > 0 ? [`shift ${body.conflicting_shift_ids.join(', ')}`] : []),
    ...(elsewhere > 0 ? ['at another location'] : []),
  ];
  return new ProblemError({
    status: 409,
    code: 'shift-overlap',
    param: 'start',
    detail: `This person already has a shift at that time (${named.join('; ') || 'unknown'}).`,
    extra: body,
  });
}

export const isOverlap = (err: unknown) => pgError(err).code === '23P01';
