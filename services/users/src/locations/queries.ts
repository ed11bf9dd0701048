import type { Kysely, Selectable } from 'kysely';
import { paginate } from '@shiftstack/service-kit';
import type { UsersDatabase } from '../db';

export type LocationRow = Selectable<UsersDatabase['locations']>;

export function listLocations(db: Kysely<UsersDatabase>, page: { limit: number; cursor?: string }) {
  return paginate(db.selectFrom('locations').selectAll(), { columns: ['id'], keyOf: (r) => [r.id], ...page });
}

export function findLocation(db: Kysely<UsersDatabase>, id: number) {
  return db.selectFrom('locations').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertLocation(db: Kysely<UsersDatabase>, values: { name: string; timezone: string }) {
  return db.insertInto('locations').values(values).returningAll().executeTakeFirstOrThrow();
}

export function updateLocation(
  db: Kysely<UsersDatabase>,
  id: number,
  values: { name?: string; timezone?: string },
) {
  return db
    .updateTable('locations')
    .set((eb) => ({ ...values, updated_at: eb.fn('now') }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function existingLocationIds(db: Kysely<UsersDatabase>, ids: number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('locations').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}
