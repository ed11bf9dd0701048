// A person's weekly availability on the board: what each day of their row says, whether a shift lies
// outside it (the same rule as the publish warnings: the contract's withinAvailability), and the per-day
// form the availability dialog edits, turned back into the API's windows.
import type { Availability, AvailabilityWindow } from '@shiftstack/contract';
import { weekdayOf, withinAvailability } from '../time';

export type WindowsByUser = Map<number, AvailabilityWindow[]>;

/** Only people who gave windows: no entry means any time. */
export function windowsByUser(list: Availability[]): WindowsByUser {
  return new Map(list.filter((a) => a.windows.length > 0).map((a) => [a.user_id, a.windows]));
}

const WHOLE_DAY = (w: AvailabilityWindow) => w.start === '00:00' && w.end === '24:00';

/** A time input cannot hold 24:00: the form shows the end of the day as 00:00, the API as 24:00. */
const endForApi = (end: string) => (end === '00:00' ? '24:00' : end);
const endForForm = (end: string) => (end === '24:00' ? '00:00' : end);

/** What a person's day says in their row: nothing (any time), "Unavailable" or "Available 09:00–17:00". */
export function dayNote(windows: AvailabilityWindow[] | undefined, day: string): string | null {
  if (!windows || windows.length === 0) return null;
  const that = windows.filter((w) => w.weekday === weekdayOf(day));
  if (that.length === 0) return 'Unavailable';
  if (that.some(WHOLE_DAY)) return null;
  return `Available ${that.map((w) => `${w.start}–${w.end}`).join(', ')}`;
}

/** Whether a shift given to someone lies outside the availability they gave. */
export function isOutside(
  shift: { user_id: number | null; start: string; end: string },
  byUser: WindowsByUser,
  tz: string,
): boolean {
  if (shift.user_id === null) return false;
  return !withinAvailability(byUser.get(shift.user_id) ?? [], shift.start, shift.end, tz);
}

export type DayMode = 'any' | 'hours' | 'none';
export interface Hours {
  start: string;
  /** As a time input holds it: 00:00 is midnight at the end of the day. */
  end: string;
}
export interface DayForm {
  mode: DayMode;
  hours: Hours[];
}

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const NINE_TO_FIVE: Hours = { start: '09:00', end: '17:00' };

/** Seven days (Monday first) as the dialog shows them; no windows at all is any time every day. */
export function toForm(windows: AvailabilityWindow[]): DayForm[] {
  return WEEKDAY_NAMES.map((_, i) => {
    const that = windows.filter((w) => w.weekday === i + 1);
    if (windows.length === 0 || that.some(WHOLE_DAY)) return { mode: 'any', hours: [NINE_TO_FIVE] };
    if (that.length === 0) return { mode: 'none', hours: [NINE_TO_FIVE] };
    const hours = that.map((w) => ({ start: w.start, end: endForForm(w.end) }));
    return { mode: 'hours', hours };
  });
}

/** The API's windows for a form: every day any time is no windows at all. */
export function toWindows(form: DayForm[]): AvailabilityWindow[] {
  if (form.every((d) => d.mode === 'any')) return [];
  return form.flatMap((d, i) => {
    const weekday = i + 1;
    if (d.mode === 'any') return [{ weekday, start: '00:00', end: '24:00' }];
    if (d.mode === 'none') return [];
    return d.hours.map((h) => ({ weekday, start: h.start, end: endForApi(h.end) }));
  });
}

/** What is wrong with a day's hours, in plain words (the API checks the same and answers 422). */
export function dayProblem(day: DayForm): string | null {
  if (day.mode !== 'hours') return null;
  const hours = day.hours.map((h) => ({ start: h.start, end: endForApi(h.end) }));
  if (hours.some((h) => !h.start || !h.end)) return 'Give a start and an end.';
  if (hours.some((h) => h.end <= h.start)) return 'Each time must end after it starts.';
  const sorted = [...hours].sort((a, b) => a.start.localeCompare(b.start));
  if (sorted.some((h, k) => k > 0 && h.start < sorted[k - 1]!.end)) return 'The times overlap.';
  return null;
}
