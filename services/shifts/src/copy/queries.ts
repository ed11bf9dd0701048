import type { Kysely } from 'kysely';
import type { ShiftRow, ShiftsDatabase } from '../db';

/** The live shifts of a location starting in [start, end), oldest first; only these roles when given. */
export function liveShiftsIn(
  db: Kysely<ShiftsDatabase>,
  locationId: number,
  window: { start: Date; end: Date },
  roleIds?: number[],
): Promise<ShiftRow[]> {
  let q = db
    .selectFrom('shifts')
    .selectAll()
    .where('location_id', '=', locationId)
    .where('start_at', '>=', window.start.toISOString())
    .where('start_at', '<', window.end.toISOString())
    .where('deleted_at', 'is', null);
  if (roleIds) q = q.where('role_id', 'in', roleIds.length > 0 ? roleIds : [0]);
  return q.orderBy('start_at').orderBy('id').$castTo<ShiftRow>().execute();
}
