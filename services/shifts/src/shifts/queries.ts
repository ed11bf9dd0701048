import { paginate } from '@shiftstack/service-kit';
import { sql, type Kysely } from 'kysely';
import type { ShiftRow, ShiftsDatabase } from '../db';

export interface ShiftFilter {
  from: Date;
  to: Date;
  location_id?: number;
  /** Only these locations (what a manager or employee may see). */
  location_ids?: number[];
  /** Open shifts only for these roles or none (what an employee is qualified for). */
  qualified_roles?: number[];
  user_id?: number;
  role_id?: number;
  open?: boolean;
  status: 'draft' | 'published' | 'all';
  include_deleted: boolean;
  limit: number;
  cursor?: string;
}

const select = (db: Kysely<ShiftsDatabase>) => db.selectFrom('shifts').selectAll().$castTo<ShiftRow>();

export function listShifts(db: Kysely<ShiftsDatabase>, f: ShiftFilter) {
  let q = select(db).where('start_at', '>=', f.from.toISOString()).where('start_at', '<', f.to.toISOString());
  if (f.location_id !== undefined) q = q.where('location_id', '=', f.location_id);
  if (f.location_ids) q = q.where('location_id', 'in', f.location_ids.length > 0 ? f.location_ids : [0]);
  const roles = f.qualified_roles;
  if (roles) {
    q = q.where((eb) =>
      eb.or([
        eb('user_id', 'is not', null),
        eb('role_id', 'is', null),
        ...(roles.length > 0 ? [eb('role_id', 'in', roles)] : []),
      ]),
    );
  }
  if (f.user_id !== undefined) q = q.where('user_id', '=', f.user_id);
  if (f.role_id !== undefined) q = q.where('role_id', '=', f.role_id);
  if (f.open !== undefined) q = q.where('user_id', f.open ? 'is' : 'is not', null);
  if (f.status !== 'all') q = q.where('status', '=', f.status);
  if (!f.include_deleted) q = q.where('deleted_at', 'is', null);
  return paginate(q, {
    columns: ['start_at', 'id'],
    keyOf: (r) => [r.start_at, r.id],
    limit: f.limit,
    cursor: f.cursor,
  });
}

export function findShift(db: Kysely<ShiftsDatabase>, id: number): Promise<ShiftRow | undefined> {
  return select(db).where('id', '=', id).executeTakeFirst();
}

/** Live shifts of `userId` that overlap [start, end), other than `exceptId`: what an overlap conflicts with. */
export function overlapping(
  db: Kysely<ShiftsDatabase>,
  userId: number,
  start: Date,
  end: Date,
  exceptId?: number,
) {
  let q = select(db)
    .where('user_id', '=', userId)
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`tstzrange(start_at, end_at, '[)') && tstzrange(${start}, ${end}, '[)')`);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return q.orderBy('start_at').execute();
}

export interface ShiftValues {
  location_id: number;
  role_id: number | null;
  user_id: number | null;
  start_at: Date;
  end_at: Date;
  timezone: string;
  break_minutes: number;
  notes: string | null;
  status: 'draft' | 'published';
}

export function insertShift(db: Kysely<ShiftsDatabase>, v: ShiftValues): Promise<ShiftRow> {
  return db
    .insertInto('shifts')
    .values((eb) => ({ ...v, published_at: v.status === 'published' ? eb.fn('now') : null }))
    .returningAll()
    .$castTo<ShiftRow>()
    .executeTakeFirstOrThrow();
}

/** Updates a live shift if `expectedVersion` (when given) is current; undefined otherwise. */
export function updateShift(
  db: Kysely<ShiftsDatabase>,
  id: number,
  expectedVersion: number | undefined,
  v: Partial<Omit<ShiftValues, 'location_id' | 'timezone'>>,
): Promise<ShiftRow | undefined> {
  let q = db
    .updateTable('shifts')
    .set((eb) => ({
      ...v,
      ...(v.status === 'published' ? { published_at: sql`coalesce(published_at, now())` } : {}),
      ...(v.status === 'draft' ? { published_at: null } : {}),
      version: eb('version', '+', 1),
      updated_at: eb.fn('now'),
    }))
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
  return q.returningAll().$castTo<ShiftRow>().executeTakeFirst();
}

export function softDeleteShift(db: Kysely<ShiftsDatabase>, id: number, expectedVersion: number | undefined) {
  let q = db
    .updateTable('shifts')
    .set((eb) => ({ deleted_at: eb.fn('now'), version: eb('version', '+', 1), updated_at: eb.fn('now') }))
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
  return q.returning('id').executeTakeFirst();
}

/** Makes every live future shift of this person open; answers their ids. */
export async function unassignFuture(
  db: Kysely<ShiftsDatabase>,
  userId: number,
  now: Date,
): Promise<number[]> {
  const rows = await db
    .updateTable('shifts')
    .set((eb) => ({ user_id: null, version: eb('version', '+', 1), updated_at: eb.fn('now') }))
    .where('user_id', '=', userId)
    .where('start_at', '>', now.toISOString())
    .where('deleted_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

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

/** The live shifts of these people, at any location, starting in [start, end), in order. */
export function shiftsOfPeople(
  db: Kysely<ShiftsDatabase>,
  userIds: number[],
  window: { start: Date; end: Date },
): Promise<ShiftRow[]> {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('shifts')
    .selectAll()
    .where('user_id', 'in', userIds)
    .where('start_at', '>=', window.start.toISOString())
    .where('start_at', '<', window.end.toISOString())
    .where('deleted_at', 'is', null)
    .orderBy('start_at')
    .$castTo<ShiftRow>()
    .execute();
}
