// Calendar arithmetic in a location's IANA time zone with nothing but Intl and Date, shared by the board
// (web/src/time.ts adds the formatting) and the local seed (scripts/local/seed.ts): one home for it.
// A "day key" is a calendar date 'YYYY-MM-DD' in the location's zone; weeks start on Monday.

const partsCache = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsCache.set(timeZone, f);
  }
  return f;
}

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function zonedPartsSlow(date: Date, timeZone: string): ZonedParts {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(date)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: (out.hour ?? 0) % 24,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

// Offsets change only at transitions, which real zones place on 15-minute boundaries: cache the offset per
// zone and 15-minute bucket, so a 350-shift board costs a few dozen Intl calls instead of thousands.
const BUCKET_MS = 15 * 60_000;
const offsetCache = new Map<string, number>();

export function zonedParts(date: Date, timeZone: string): ZonedParts {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return zonedPartsSlow(date, timeZone);
  const local = new Date(ms + zoneOffsetMs(date, timeZone));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/** The zone's offset from UTC at that instant, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(date: Date, timeZone: string): number {
  const bucket = Math.floor(date.getTime() / BUCKET_MS);
  const key = `${timeZone}|${bucket}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const at = new Date(bucket * BUCKET_MS);
    const p = zonedPartsSlow(at, timeZone);
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - at.getTime();
    if (offsetCache.size > 20_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  return offset;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The instant at which the wall clock in `timeZone` shows `dayKey` `time` (HH:mm). */
export function zonedToUtc(dayKey: string, time: string, timeZone: string): Date {
  const [y = 1970, m = 1, d = 1] = dayKey.split('-').map(Number);
  const [h = 0, mi = 0] = time.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, h, mi);
  const first = zoneOffsetMs(new Date(wall), timeZone);
  let result = wall - first;
  const second = zoneOffsetMs(new Date(result), timeZone);
  if (second !== first) result = wall - second;
  return new Date(result);
}

export function dayKeyInZone(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

export function timeInZone(date: Date, timeZone: string): string {
  const p = zonedParts(date, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** Midnight UTC of a day key: the calendar date as a Date, for date-only arithmetic and formatting. */
export function keyToUtcDate(dayKey: string): Date {
  return new Date(`${dayKey}T00:00:00Z`);
}

export function addDays(dayKey: string, n: number): string {
  const d = keyToUtcDate(dayKey);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function isDayKey(value: string | null | undefined): value is string {
  return !!value && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(keyToUtcDate(value).getTime());
}

/** The Monday on or before `dayKey`. */
export function weekStart(dayKey: string): string {
  const dow = keyToUtcDate(dayKey).getUTCDay(); // 0 = Sunday
  return addDays(dayKey, -((dow + 6) % 7));
}

export function weekDays(startKey: string): string[] {
  return Array.from({ length: 7 }, (_, i) => addDays(startKey, i));
}

/** The UTC window [start, end) covering the 7 days from `startKey` in `timeZone`. */
export function weekWindow(startKey: string, timeZone: string): { start: Date; end: Date } {
  return {
    start: zonedToUtc(startKey, '00:00', timeZone),
    end: zonedToUtc(addDays(startKey, 7), '00:00', timeZone),
  };
}

/**
 * Start and end instants for a shift given its day and wall-clock times in the location's zone.
 * An end time at or before the start time means the shift ends the next day (an overnight shift).
 */
export function shiftInstants(dayKey: string, startTime: string, endTime: string, timeZone: string) {
  const start = zonedToUtc(dayKey, startTime, timeZone);
  const endDay = endTime <= startTime ? addDays(dayKey, 1) : dayKey;
  const end = zonedToUtc(endDay, endTime, timeZone);
  return { start, end, overnight: endDay !== dayKey };
}

/** ISO without milliseconds, as the API prints it. */
export function toIso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whole calendar days from one day key to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((keyToUtcDate(to).getTime() - keyToUtcDate(from).getTime()) / 86_400_000);
}

/** The instant `days` calendar days later at the same wall-clock time in `timeZone` (so DST keeps 09:00). */
export function sameTimeDaysLater(instant: Date | string, days: number, timeZone: string): Date {
  const at = new Date(instant);
  return zonedToUtc(addDays(dayKeyInZone(at, timeZone), days), timeInZone(at, timeZone), timeZone);
}

/** Length of a shift in hours, minus its break, e.g. 7.5: what the board sums and the overtime warning counts. */
export function paidHours(start: Date | string, end: Date | string, breakMinutes: number): number {
  const ms = new Date(end).getTime() - new Date(start).getTime() - breakMinutes * 60_000;
  return Math.max(0, Math.round((ms / 3_600_000) * 100) / 100);
}

/** 1 = Monday … 7 = Sunday, as weekly availability counts. */
export const weekdayOf = (dayKey: string) => daysBetween(weekStart(dayKey), dayKey) + 1;

/** A weekly availability window: local times on a weekday (end may be 24:00). */
export interface WeeklyWindow {
  weekday: number;
  start: string;
  end: string;
}

/** Whether one of the day's windows covers [from, to) (HH:mm, to may be 24:00). */
const covered = (windows: readonly WeeklyWindow[], weekday: number, from: string, to: string) =>
  windows.some((w) => w.weekday === weekday && w.start <= from && w.end >= to);

/**
 * Whether a shift lies inside a person's weekly availability, in the location's zone; no windows at all
 * means any time. An overnight shift needs the first day's window until midnight and the next day's after:
 * what the publish warnings and the board's badges both ask.
 */
export function withinAvailability(
  windows: readonly WeeklyWindow[],
  start: Date | string,
  end: Date | string,
  timeZone: string,
): boolean {
  if (windows.length === 0) return true;
  const [from, until] = [new Date(start), new Date(end)];
  const [day, endDay] = [dayKeyInZone(from, timeZone), dayKeyInZone(until, timeZone)];
  const [fromTime, toTime] = [timeInZone(from, timeZone), timeInZone(until, timeZone)];
  if (day === endDay) return covered(windows, weekdayOf(day), fromTime, toTime);
  return (
    covered(windows, weekdayOf(day), fromTime, '24:00') &&
    (toTime === '00:00' || covered(windows, weekdayOf(endDay), '00:00', toTime))
  );
}
