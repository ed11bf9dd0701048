import { paginate } from '@shiftstack/service-kit';
import type { Kysely, Selectable } from 'kysely';
import type { UsersDatabase } from '../db';

export type TimeOffRow = Selectable<UsersDatabase['time_off']>;

export interface TimeOffFilter {
  from: string;
  to: string;
  user_id?: number;
  /** People at this location. */
  location_id?: number;
  /** Only people at one of these locations (what a manager may see). */
  within_locations?: number[];
  status?: 'requested' | 'approved' | 'declined';
  limit: number;
  cursor?: string;
}

const atLocations = (db: Kysely<UsersDatabase>, ids: number[]) =>
  db
    .selectFrom('user_locations')
    .select('user_id')
    .where('location_id', 'in', ids.length > 0 ? ids : [0]);

export function listTimeOff(db: Kysely<UsersDatabase>, f: TimeOffFilter) {
  let q = db
    .selectFrom('time_off')
    .selectAll()
    .where('end_date', '>=', f.from)
    .where('start_date', '<=', f.to);
  if (f.user_id !== undefined) q = q.where('user_id', '=', f.user_id);
  if (f.location_id !== undefined) q = q.where('user_id', 'in', atLocations(db, [f.location_id]));
  if (f.within_locations) q = q.where('user_id', 'in', atLocations(db, f.within_locations));
  if (f.status) q = q.where('status', '=', f.status);
  return paginate(q, {
    columns: ['start_date', 'id'],
    keyOf: (r) => [r.start_date, r.id],
    limit: f.limit,
    cursor: f.cursor,
  });
}

export function findTimeOff(db: Kysely<UsersDatabase>, id: number) {
  return db.selectFrom('time_off').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertTimeOff(
  db: Kysely<UsersDatabase>,
  v: { user_id: number; start_date: string; end_date: string; reason: string | null },
) {
  return db.insertInto('time_off').values(v).returningAll().executeTakeFirstOrThrow();
}

export function decideTimeOff(
  db: Kysely<UsersDatabase>,
  id: number,
  expectedVersion: number,
  v: { status: 'approved' | 'declined'; decided_by: number },
) {
  return db
    .updateTable('time_off')
    .set((eb) => ({
      ...v,
      decided_at: eb.fn('now'),
      version: eb('version', '+', 1),
      updated_at: eb.fn('now'),
    }))
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returningAll()
    .executeTakeFirst();
}
