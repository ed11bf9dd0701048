// The rules of a shift that need no database: checked before any call or write, so bad input gets a
// precise 422 rather than a constraint error. The database enforces the same rules as a backstop
// (migrations/0001_initial.ts, whose literals stay as they ran: a migration is history).
//
// Not here: **no overlapping shifts for one person**. Only the database can keep it under concurrent
// writers, so it is the exclusion constraint `shifts_no_overlap` (migrations/0001_initial.ts; back-to-back
// shifts may touch). A write it refuses answers 409 `shift-overlap` naming the shifts it collides with
// (overlapProblem in routes.ts).
import { MAX_LIST_WINDOW_DAYS, MAX_SHIFT_HOURS, type ShiftPatch } from '@shiftstack/contract';
import { ProblemError, invalid } from '@shiftstack/service-kit';
import type { ShiftRow } from '../db';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function checkTimes(start: Date, end: Date, breakMinutes: number): void {
  if (end <= start) throw invalid('end', 'The shift must end after it starts.');
  if (end.getTime() - start.getTime() > MAX_SHIFT_HOURS * HOUR) {
    throw invalid('end', `A shift can last at most ${MAX_SHIFT_HOURS} hours.`);
  }
  if (breakMinutes * 60_000 >= end.getTime() - start.getTime()) {
    throw invalid('break_minutes', 'The break must be shorter than the shift.');
  }
}

/** A list or publish window: [from, to), at most MAX_LIST_WINDOW_DAYS wide. */
export function checkWindow(from: Date, to: Date, params: { from: string; to: string }): void {
  if (to <= from) throw invalid(params.to, `${params.to} must be after ${params.from}.`);
  if (to.getTime() - from.getTime() > MAX_LIST_WINDOW_DAYS * DAY) {
    throw new ProblemError({
      status: 422,
      code: 'window-too-wide',
      param: params.to,
      detail: `Ask for at most ${MAX_LIST_WINDOW_DAYS} days at a time, then page through later windows.`,
    });
  }
}

/**
 * What a PATCH makes of a shift: the shift as it would be (`next`, for the checks), the columns to write
 * (`changes`: only what the body names), and whether the assignee or role changed, or the times of an
 * assigned shift (only then is the users service asked, so a note or status change works while it is
 * down; new times are checked against the assignee's time off).
 */
export function changeOf(current: ShiftRow, b: ShiftPatch) {
  const next = {
    role_id: b.role_id !== undefined ? b.role_id : current.role_id,
    user_id: b.user_id !== undefined ? b.user_id : current.user_id,
    start_at: new Date(b.start ?? current.start_at),
    end_at: new Date(b.end ?? current.end_at),
    break_minutes: b.break_minutes ?? current.break_minutes,
  };
  const changes = {
    ...(b.role_id !== undefined ? { role_id: b.role_id } : {}),
    ...(b.user_id !== undefined ? { user_id: b.user_id } : {}),
    ...(b.start ? { start_at: next.start_at } : {}),
    ...(b.end ? { end_at: next.end_at } : {}),
    ...(b.break_minutes !== undefined ? { break_minutes: b.break_minutes } : {}),
    ...(b.notes !== undefined ? { notes: b.notes } : {}),
    ...(b.status ? { status: b.status } : {}),
  };
  const newAssignee = b.user_id !== undefined && b.user_id !== current.user_id && !!b.user_id;
  const newRole = b.role_id !== undefined && b.role_id !== current.role_id && !!b.role_id;
  const newTimes =
    next.start_at.getTime() !== Date.parse(current.start_at) ||
    next.end_at.getTime() !== Date.parse(current.end_at);
  return { next, changes, referencesChanged: newAssignee || newRole || (newTimes && next.user_id !== null) };
}
