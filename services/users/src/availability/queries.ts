import type { Availability, AvailabilityWindow } from '@shiftstack/contract';
import { invalid } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { UsersDatabase } from '../db';

export async function readAvailability(db: Kysely<UsersDatabase>, userId: number): Promise<Availability> {
  const [windows, user] = await Promise.all([
    db
      .selectFrom('availability_windows')
      .select(['weekday', 'start_time', 'end_time'])
      .where('user_id', '=', userId)
      .orderBy('weekday')
      .orderBy('start_time')
      .execute(),
    db.selectFrom('users').select('availability_version').where('id', '=', userId).executeTakeFirstOrThrow(),
  ]);
  return {
    user_id: userId,
    windows: windows.map((w) => ({ weekday: w.weekday, start: w.start_time, end: w.end_time })),
    version: user.availability_version,
  };
}

/** Each window ends after it starts, and a day's windows do not overlap (a precise 400 before the write). */
export function checkWindows(windows: AvailabilityWindow[]): void {
  windows.forEach((w, i) => {
    if (w.start === '24:00') throw invalid(`windows.${i}.start`, 'A window cannot start at 24:00.');
    if (w.end <= w.start) throw invalid(`windows.${i}.end`, 'A window must end after it starts.');
  });
  const sorted = windows
    .map((w, i) => ({ ...w, i }))
    .sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  for (let k = 1; k < sorted.length; k++) {
    const [before, after] = [sorted[k - 1]!, sorted[k]!];
    if (before.weekday === after.weekday && after.start < before.end)
      throw invalid(`windows.${after.i}.start`, 'Windows on the same day must not overlap.');
  }
}
