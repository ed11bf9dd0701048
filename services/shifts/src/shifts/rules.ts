// The rules of a shift that need no database: checked before any call or write, so bad input gets a
// precise 422 rather than a constraint error. The database enforces the same rules as a backstop
// (migrations/0001_initial.ts, whose literals stay as they ran: a migration is history).
//
// Not here: **no overlapping shifts for one person**. Only the database can keep it under concurrent
// writers, so it is the exclusion constraint `shifts_no_overlap` (migrations/0001_initial.ts; back-to-back
// shifts may touch). A write it refuses answers 409 `shift-overlap` naming the shifts it collides with
// (overlapProblem in routes.ts).
import { MAX_LIST_WINDOW_DAYS, MAX_SHIFT_HOURS } from '@shiftstack/contract';
import { ProblemError, invalid } from '@shiftstack/service-kit';

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
