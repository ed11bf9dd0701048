import type { Availability, AvailabilityWindow } from '@shiftstack/contract';
import { invalid, paginate } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { UsersDatabase } from '../db';

/** A stored window as the API gives it. */
const toWindow = (w: { weekday: number; start_time: string; end_time: string }): AvailabilityWindow => ({
  weekday: w.weekday,
  start: w.start_time,
  end: w.end_time,
});

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
    windows: windows.map(toWindow),
    version: user.availability_version,
  };
}

/** One page of the weekly availability of a location's active people, in id order. */
export async function availabilityAt(
  db: Kysely<UsersDatabase>,
  locationId: number,
  f: { user_id?: number; limit: number; cursor?: string },
) {
  let people = db
    .selectFrom('users')
    .select(['users.id', 'users.availability_version'])
    .where('users.active', '=', true)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_locations as ul')
          .select('ul.user_id')
          .whereRef('ul.user_id', '=', 'users.id')
          .where('ul.location_id', '=', locationId),
      ),
    );
  if (f.user_id !== undefined) people = people.where('users.id', '=', f.user_id);
  const page = await paginate(people, {
    columns: ['users.id'],
    keyOf: (r) => [r.id],
    limit: f.limit,
    cursor: f.cursor,
  });
  const ids = page.rows.map((r) => r.id);
  const windows = await db
    .selectFrom('availability_windows')
    .select(['user_id', 'weekday', 'start_time', 'end_time'])
    .where('user_id', 'in', ids.length > 0 ? ids : [0])
    .orderBy('user_id')
    .orderBy('weekday')
    .orderBy('start_time')
    .execute();
  const rows: Availability[] = page.rows.map((r) => ({
    user_id: r.id,
    windows: windows.filter((w) => w.user_id === r.id).map(toWindow),
    version: r.availability_version,
  }));
  return { ...page, rows };
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
