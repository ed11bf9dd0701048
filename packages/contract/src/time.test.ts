import { describe, expect, it } from 'vitest';
import {
  addDays,
  dayKeyInZone,
  shiftInstants,
  timeInZone,
  toIso,
  weekStart,
  weekWindow,
  weekdayOf,
  withinAvailability,
  zonedToUtc,
} from './time';

describe('time zone maths', () => {
  it('turns a wall-clock time in a zone into UTC, in winter and in summer', () => {
    expect(toIso(zonedToUtc('2025-11-12', '09:00', 'America/Toronto'))).toBe('2025-11-12T14:00:00Z');
    expect(toIso(zonedToUtc('2025-07-01', '09:00', 'America/Toronto'))).toBe('2025-07-01T13:00:00Z');
    expect(toIso(zonedToUtc('2025-07-01', '09:00', 'Asia/Kolkata'))).toBe('2025-07-01T03:30:00Z');
  });

  it('handles the days clocks change', () => {
    // Spring forward in Toronto on 9 March 2025 at 02:00: 09:00 is already EDT (UTC-4).
    expect(toIso(zonedToUtc('2025-03-09', '09:00', 'America/Toronto'))).toBe('2025-03-09T13:00:00Z');
    expect(toIso(zonedToUtc('2025-03-09', '00:00', 'America/Toronto'))).toBe('2025-03-09T05:00:00Z');
    // A week containing the change is 167 hours long.
    const { start, end } = weekWindow('2025-03-03', 'America/Toronto');
    expect((end.getTime() - start.getTime()) / 3_600_000).toBe(167);
  });

  it('reads day and time of an instant in a zone', () => {
    const d = new Date('2025-11-13T03:30:00Z');
    expect(dayKeyInZone(d, 'America/Toronto')).toBe('2025-11-12');
    expect(timeInZone(d, 'America/Toronto')).toBe('22:30');
    expect(dayKeyInZone(d, 'Europe/Berlin')).toBe('2025-11-13');
  });

  it('starts weeks on Monday', () => {
    expect(weekStart('2025-11-12')).toBe('2025-11-10');
    expect(weekStart('2025-11-10')).toBe('2025-11-10');
    expect(weekStart('2025-11-16')).toBe('2025-11-10');
    expect(addDays('2025-12-29', 7)).toBe('2026-01-05');
  });

  it('treats an end time before the start as the next day', () => {
    const { start, end, overnight } = shiftInstants('2025-11-12', '22:00', '06:00', 'America/Toronto');
    expect(overnight).toBe(true);
    expect(toIso(start)).toBe('2025-11-13T03:00:00Z');
    expect(toIso(end)).toBe('2025-11-13T11:00:00Z');
  });
});

describe('weekly availability', () => {
  const tz = 'America/Toronto';
  // Monday 09:00-17:00, Friday from 18:00 to midnight and Saturday until 02:00.
  const windows = [
    { weekday: 1, start: '09:00', end: '17:00' },
    { weekday: 5, start: '18:00', end: '24:00' },
    { weekday: 6, start: '00:00', end: '02:00' },
  ];
  const at = (day: string, time: string) => zonedToUtc(day, time, tz);

  it('counts weekdays from Monday (1) to Sunday (7)', () => {
    expect(['2026-11-30', '2026-12-04', '2026-12-06'].map(weekdayOf)).toEqual([1, 5, 7]);
  });

  it('takes no windows as any time, and a shift inside a window as inside', () => {
    expect(withinAvailability([], at('2026-12-01', '03:00'), at('2026-12-01', '04:00'), tz)).toBe(true);
    expect(withinAvailability(windows, at('2026-11-30', '09:00'), at('2026-11-30', '17:00'), tz)).toBe(true);
    expect(withinAvailability(windows, at('2026-11-30', '08:00'), at('2026-11-30', '12:00'), tz)).toBe(false);
    expect(withinAvailability(windows, at('2026-12-01', '09:00'), at('2026-12-01', '12:00'), tz)).toBe(false);
  });

  it('needs both days for an overnight shift, in the location’s zone', () => {
    expect(withinAvailability(windows, at('2026-12-04', '20:00'), at('2026-12-05', '02:00'), tz)).toBe(true);
    expect(withinAvailability(windows, at('2026-12-04', '20:00'), at('2026-12-05', '03:00'), tz)).toBe(false);
    expect(withinAvailability(windows, at('2026-12-04', '20:00'), at('2026-12-05', '00:00'), tz)).toBe(true);
  });
});
