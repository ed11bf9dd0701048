// How the board shows days, weeks and times; the arithmetic itself is the contract's (one home, shared
// with the local seed), re-exported so the board imports time from one place.
import { addDays, dayKeyInZone, keyToUtcDate, timeInZone } from '@shiftstack/contract/time';

export * from '@shiftstack/contract/time';

const dayFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
});
const weekdayFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short' });
const dayNumFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
const longDayFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
});

/** "Mon 10 Nov" */
export function formatDay(dayKey: string): string {
  return dayFmt.format(keyToUtcDate(dayKey)).replace(',', '');
}
/** "Monday 10 November" */
export function formatLongDay(dayKey: string): string {
  return longDayFmt.format(keyToUtcDate(dayKey)).replace(',', '');
}
export function formatWeekday(dayKey: string): string {
  return weekdayFmt.format(keyToUtcDate(dayKey));
}
export function formatDayNumber(dayKey: string): string {
  return dayNumFmt.format(keyToUtcDate(dayKey));
}

/** "10 – 16 Nov 2025" */
export function formatWeekRange(startKey: string): string {
  const endKey = addDays(startKey, 6);
  const s = keyToUtcDate(startKey);
  const e = keyToUtcDate(endKey);
  const full = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  if (s.getUTCFullYear() !== e.getUTCFullYear()) return `${full.format(s)} – ${full.format(e)}`;
  const dm = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
  if (s.getUTCMonth() !== e.getUTCMonth()) return `${dm.format(s)} – ${full.format(e)}`;
  return `${s.getUTCDate()} – ${full.format(e)}`;
}

/** "09:00–17:00", with "(+1)" when the shift ends on a later day. */
export function formatTimeRange(startIso: string, endIso: string, timeZone: string): string {
  const start = new Date(startIso);
  const end = new Date(endIso);
  const dayDiff = Math.round(
    (keyToUtcDate(dayKeyInZone(end, timeZone)).getTime() -
      keyToUtcDate(dayKeyInZone(start, timeZone)).getTime()) /
      86_400_000,
  );
  const suffix = dayDiff > 0 ? ` (+${dayDiff})` : '';
  return `${timeInZone(start, timeZone)}–${timeInZone(end, timeZone)}${suffix}`;
}
