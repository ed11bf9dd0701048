import { describe, expect, it } from 'vitest';
import { dayNote, dayProblem, isOutside, toForm, toWindows, windowsByUser } from './availability';

describe('availability on the board', () => {
  const windows = [
    { weekday: 1, start: '09:00', end: '17:00' },
    { weekday: 1, start: '18:00', end: '24:00' },
    { weekday: 2, start: '00:00', end: '24:00' },
  ];

  it('says what each day of a row is: hours, unavailable, or nothing for any time', () => {
    expect(dayNote(windows, '2025-11-10')).toBe('Available 09:00–17:00, 18:00–24:00');
    expect(dayNote(windows, '2025-11-11')).toBeNull();
    expect(dayNote(windows, '2025-11-12')).toBe('Unavailable');
    expect(dayNote([], '2025-11-12')).toBeNull();
    expect(dayNote(undefined, '2025-11-12')).toBeNull();
  });

  it('tags only assigned shifts outside the windows of people who gave some', () => {
    const byUser = windowsByUser([
      { user_id: 3, windows, version: 2 },
      { user_id: 4, windows: [], version: 1 },
    ]);
    const shift = (user_id: number | null) => ({
      user_id,
      start: '2025-11-12T14:00:00Z',
      end: '2025-11-12T18:00:00Z',
    });
    expect([3, 4, null].map((id) => isOutside(shift(id), byUser, 'America/Toronto'))).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('turns windows into a form of seven days and back, midnight as 00:00 in the form', () => {
    const form = toForm(windows);
    expect(form.map((d) => d.mode)).toEqual(['hours', 'any', 'none', 'none', 'none', 'none', 'none']);
    expect(form[0]!.hours).toEqual([
      { start: '09:00', end: '17:00' },
      { start: '18:00', end: '00:00' },
    ]);
    expect(toWindows(form)).toEqual(windows);
    expect(toForm([]).every((d) => d.mode === 'any')).toBe(true);
    expect(toWindows(toForm([]))).toEqual([]);
  });

  it('finds a day whose hours end before they start, or overlap', () => {
    const day = (hours: { start: string; end: string }[]) => dayProblem({ mode: 'hours', hours });
    expect(day([{ start: '09:00', end: '17:00' }])).toBeNull();
    expect(day([{ start: '22:00', end: '00:00' }])).toBeNull();
    expect(day([{ start: '17:00', end: '09:00' }])).toBe('Each time must end after it starts.');
    expect(
      day([
        { start: '09:00', end: '13:00' },
        { start: '12:00', end: '18:00' },
      ]),
    ).toBe('The times overlap.');
    expect(day([{ start: '', end: '10:00' }])).toBe('Give a start and an end.');
  });
});
