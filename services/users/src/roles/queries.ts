import type { Kysely, Selectable } from 'kysely';
import { paginate } from '@shiftstack/service-kit';
import type { UsersDatabase } from '../db';

export type RoleRow = Selectable<UsersDatabase['roles']>;

export function listRoles(
  db: Kysely<UsersDatabase>,
  filter: { location_id?: number; within?: number[]; limit: number; cursor?: string },
) {
  let q = db.selectFrom('roles').selectAll();
  if (filter.location_id !== undefined) q = q.where('location_id', '=', filter.location_id);
  if (filter.within) q = q.where('location_id', 'in', filter.within.length > 0 ? filter.within : [0]);
  return paginate(q, { columns: ['id'], keyOf: (r) => [r.id], limit: filter.limit, cursor: filter.cursor });
}

export function findRole(db: Kysely<UsersDatabase>, id: number) {
  return db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst();
}

export function insertRole(db: Kysely<UsersDatabase>, values: { location_id: number; name: string }) {
  return db.insertInto('roles').values(values).returningAll().executeTakeFirstOrThrow();
}

export function rolesByIds(db: Kysely<UsersDatabase>, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([] as RoleRow[]);
  return db.selectFrom('roles').selectAll().where('id', 'in', ids).execute();
}
