import { paginate } from '@shiftstack/service-kit';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { UsersDatabase } from '../db';

export type UserRow = Selectable<UsersDatabase['users']> & { location_ids: number[]; role_ids: number[] };

export interface UserFilter {
  status: 'active' | 'inactive' | 'all';
  location_id?: number;
  role_id?: number;
  type?: UserRow['type'];
  q?: string;
  ids?: number[];
  email?: string;
  /** Only people at one of these locations (what a manager or employee may see). */
  within_locations?: number[];
  /** Whether `q` also matches email addresses (not for readers who may not see them). */
  search_email?: boolean;
  limit: number;
  cursor?: string;
}

/** The listing order, unique thanks to id; served by the users_listing / users_name_order indexes. */
const ORDER = ['last_name', 'first_name', 'id'];

function selectUsers(db: Kysely<UsersDatabase>) {
  return db
    .selectFrom('users')
    .selectAll('users')
    .select([
      sql<
        number[]
      >`array(select ul.location_id from user_locations ul where ul.user_id = users.id order by 1)`.as(
        'location_ids',
      ),
      sql<number[]>`array(select ur.role_id from user_roles ur where ur.user_id = users.id order by 1)`.as(
        'role_ids',
      ),
    ]);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function listUsers(db: Kysely<UsersDatabase>, f: UserFilter) {
  let q = selectUsers(db);
  if (f.status !== 'all') q = q.where('users.active', '=', f.status === 'active');
  if (f.ids) q = q.where('users.id', 'in', f.ids.length > 0 ? f.ids : [0]);
  if (f.type) q = q.where('users.type', '=', f.type);
  if (f.email) q = q.where(sql<string>`lower(email)`, '=', f.email.toLowerCase());
  // The location asked for, and the locations the reader may see: each a set the person must work in.
  for (const locations of [f.within_locations, f.location_id !== undefined ? [f.location_id] : undefined]) {
    if (!locations) continue;
    const ids = locations.length > 0 ? locations : [0];
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_locations as ul')
          .select('ul.user_id')
          .whereRef('ul.user_id', '=', 'users.id')
          .where('ul.location_id', 'in', ids),
      ),
    );
  }
  if (f.role_id !== undefined) {
    const id = f.role_id;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('user_roles as ur')
          .select('ur.user_id')
          .whereRef('ur.user_id', '=', 'users.id')
          .where('ur.role_id', '=', id),
      ),
    );
  }
  if (f.q) {
    const pattern = `%${escapeLike(f.q.trim())}%`;
    // Same expression as the users_search trigram index; names alone for those who may not see email.
    q = q.where(
      f.search_email === false
        ? sql<boolean>`(first_name || ' ' || last_name) ilike ${pattern}`
        : sql<boolean>`(first_name || ' ' || last_name || ' ' || coalesce(email, '')) ilike ${pattern}`,
    );
  }
  return paginate(q, {
    columns: ORDER,
    keyOf: (r) => [r.last_name, r.first_name, r.id],
    limit: f.limit,
    cursor: f.cursor,
  });
}

export function findUser(db: Kysely<UsersDatabase>, id: number): Promise<UserRow | undefined> {
  return selectUsers(db).where('users.id', '=', id).executeTakeFirst();
}

export function findUserByEmail(db: Kysely<UsersDatabase>, email: string): Promise<UserRow | undefined> {
  // The same expression as the users_email_key index.
  return selectUsers(db)
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export interface UserValues {
  first_name?: string;
  last_name?: string;
  email?: string | null;
  mobile_number?: string | null;
  type?: UserRow['type'];
  hire_date?: string | null;
}

async function replaceLinks(
  db: Kysely<UsersDatabase>,
  userId: number,
  links: { location_ids?: number[]; role_ids?: number[] },
) {
  if (links.location_ids) {
    await db.deleteFrom('user_locations').where('user_id', '=', userId).execute();
    if (links.location_ids.length > 0) {
      await db
        .insertInto('user_locations')
        .values(links.location_ids.map((location_id) => ({ user_id: userId, location_id })))
        .execute();
    }
  }
  if (links.role_ids) {
    await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
    if (links.role_ids.length > 0) {
      await db
        .insertInto('user_roles')
        .values(links.role_ids.map((role_id) => ({ user_id: userId, role_id })))
        .execute();
    }
  }
}

/** Call inside a transaction. */
export async function insertUser(
  db: Kysely<UsersDatabase>,
  values: UserValues & { first_name: string; last_name: string },
  links: { location_ids: number[]; role_ids: number[] },
): Promise<UserRow> {
  const { id } = await db.insertInto('users').values(values).returning('id').executeTakeFirstOrThrow();
  await replaceLinks(db, id, links);
  return (await findUser(db, id))!;
}

/**
 * Updates a user when `expectedVersion` (if given) is still current, bumping the version. Returns the new
 * row, or undefined when the user is missing or the version has moved on. Call inside a transaction.
 */
export async function updateUser(
  db: Kysely<UsersDatabase>,
  id: number,
  expectedVersion: number | undefined,
  values: UserValues & { active?: boolean; inactive_reason?: string | null },
  links: { location_ids?: number[]; role_ids?: number[] } = {},
): Promise<UserRow | undefined> {
  let q = db
    .updateTable('users')
    .set((eb) => ({ ...values, version: eb('version', '+', 1), updated_at: eb.fn('now') }))
    .where('id', '=', id);
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
  const updated = await q.returning('id').executeTakeFirst();
  if (!updated) return undefined;
  await replaceLinks(db, id, links);
  return findUser(db, id);
}
