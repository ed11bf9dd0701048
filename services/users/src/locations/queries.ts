import type { Kysely, Selectable } from 'kysely';
import { paginate } from '@shiftstack/service-kit';
import type { UsersDatabase } from '../db';

export type LocationRow = Selectable<UsersDatabase['locations']>;

export interface LocationValues {
  name: string;
  timezone: string;
  overtime_hours_per_week?: number;
  min_rest_hours?: number;
}

export function listLocations(
  db: Kysely<UsersDatabase>,
  { ids, ...page }: { ids?: number[]; limit: number; cursor?: string },
) {
  let q = db.selectFrom('locations').selectAll();
  if (ids) q = q.where('id', 'in', ids.length > 0 ? ids : [0]);
  return paginate(q, { columns: ['id'], keyOf: (r) => [r.id], ...page });
}

export function findLocation(db: Kysely<UsersDatabase>, id: number) {
  return db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertLocation(db: Kysely<UsersDatabase>, values: LocationValues) {
  return db.insertInto('locations').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Changes the location when it is still at `expectedVersion`; undefined when missing or moved on. */
export function updateLocation(
  db: Kysely<UsersDatabase>,
  id: number,
  expectedVersion: number,
  values: Partial<LocationValues>,
) {
  return db
    .updateTable('locations')
    .set((eb) => ({ ...values, version: eb('version', '+', 1), updated_at: eb.fn('now') }))
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returningAll()
    .executeTakeFirst();
}

export async function existingLocationIds(db: Kysely<UsersDatabase>, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('locations').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}
