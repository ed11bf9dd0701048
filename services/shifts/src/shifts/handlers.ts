// One named handler per shifts route, on plain values (the caller, the validated input, the request id):
// the registrar in routes.ts reads them off the request. Rules that need no database are in rules.ts, the
// checks against the users service and the overlap refusal in references.ts.
import type {
  Assignee,
  PersonPrincipal,
  Shift,
  ShiftCreate,
  ShiftListQuery,
  ShiftPatch,
} from '@shiftstack/contract';
import {
  ProblemError,
  forbidden,
  notFound,
  pageMeta,
  requiredIfMatch,
  validateIdempotencyKey,
  versionMismatch,
  withIdempotency,
  type StoredResponse,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { maySeeShift, readableBy, requireManages } from '../access';
import type { ShiftRow, ShiftsDatabase } from '../db';
import { changeNotifications, removalNotifications } from '../notifications/events';
import { recordNotifications } from '../notifications/outbox';
import type { UsersClient } from '../users-client';
import {
  findShift,
  insertShift,
  listShifts,
  softDeleteShift,
  unassignFuture,
  updateShift,
  type ShiftValues,
} from './queries';
import { checkReferences, isOverlap, overlapProblem } from './references';
import { changeOf, checkTimes, checkWindow } from './rules';
import { toShift } from './to-shift';

export interface Deps {
  db: Kysely<ShiftsDatabase>;
  users: UsersClient;
}

/** The names of the assignees of `rows`, from users; when users cannot answer, none and `degraded`. */
async function assigneesOf({ users }: Deps, rows: ShiftRow[], requestId: string) {
  const ids = rows.flatMap((r) => (r.user_id ? [r.user_id] : []));
  if (ids.length === 0) return { names: new Map<number, Assignee>(), degraded: false };
  return users.names(ids, requestId);
}

const withAssignee = (row: ShiftRow, names: Map<number, Assignee>) =>
  toShift(row, row.user_id ? (names.get(row.user_id) ?? null) : null);

export async function listPage(deps: Deps, p: PersonPrincipal, q: ShiftListQuery, requestId: string) {
  const readable = readableBy(p, q);
  const from = new Date(q['start[gte]']);
  const to = new Date(q['start[lt]']);
  checkWindow(from, to, { from: 'start[gte]', to: 'start[lt]' });
  const page = await listShifts(deps.db, {
    from,
    to,
    ...readable,
    user_id: q.user_id,
    role_id: q.role_id,
    open: q.open,
    include_deleted: q.include_deleted ?? false,
    limit: q.limit ?? 100,
    cursor: q.cursor,
  });
  const { names, degraded } = await assigneesOf(deps, page.rows, requestId);
  return {
    data: page.rows.map((r) => withAssignee(r, names)),
    meta: { ...pageMeta(page), ...(degraded ? { degraded } : {}) },
  };
}

export async function readOne(deps: Deps, p: PersonPrincipal, id: number, requestId: string) {
  const row = await findShift(deps.db, id);
  // A deleted shift is gone for employees (its history is for the managers who run its location).
  if (!row || (row.deleted_at && p.access === 'employee')) throw notFound('Shift', id);
  if (!maySeeShift(p, row)) throw forbidden(`You may not read shift ${row.id}.`);
  const { names } = await assigneesOf(deps, [row], requestId);
  return withAssignee(row, names);
}

export async function create(
  deps: Deps,
  p: PersonPrincipal,
  b: ShiftCreate,
  idempotencyKey: string | undefined,
  requestId: string,
): Promise<StoredResponse<Shift>> {
  requireManages(p, b.location_id, 'create shifts');
  const key = validateIdempotencyKey(idempotencyKey);
  const start_at = new Date(b.start);
  const end_at = new Date(b.end);
  checkTimes(start_at, end_at, b.break_minutes ?? 0);
  const { timezone } = await checkReferences(deps.users, { ...b, when: { start_at, end_at } }, requestId);
  const values: ShiftValues = {
    location_id: b.location_id,
    role_id: b.role_id ?? null,
    user_id: b.user_id ?? null,
    start_at,
    end_at,
    timezone,
    break_minutes: b.break_minutes ?? 0,
    notes: b.notes ?? null,
    status: b.status ?? 'draft',
  };
  return withIdempotency(
    deps.db,
    { scope: 'POST /api/v1/shifts', caller: p, key, request: b },
    async (trx) => ({
      status: 201,
      body: toShift(await insertShift(trx, values)),
    }),
  ).catch(async (err: unknown) => {
    throw isOverlap(err) ? await overlapProblem(deps.db, p, values) : err;
  });
}

/** A live shift a manager of its location may change; `action` names what for the refusal. */
async function managedShift(deps: Deps, p: PersonPrincipal, id: number, action: string) {
  if (p.access === 'employee') throw forbidden(`Only managers and admins may ${action}.`);
  const current = await findShift(deps.db, id);
  if (!current) throw notFound('Shift', id);
  requireManages(p, current.location_id, action);
  return current;
}

export async function change(
  deps: Deps,
  p: PersonPrincipal,
  id: number,
  ifMatch: string | undefined,
  b: ShiftPatch,
  requestId: string,
) {
  const current = await managedShift(deps, p, id, 'change shifts');
  const expected = requiredIfMatch(ifMatch);
  if (current.deleted_at) {
    throw new ProblemError({
      status: 409,
      code: 'shift-deleted',
      detail: `Shift ${current.id} was deleted and cannot be changed.`,
    });
  }
  if (expected !== current.version) throw versionMismatch(current.version);
  const { next, changes, referencesChanged } = changeOf(current, b);
  checkTimes(next.start_at, next.end_at, next.break_minutes);
  // Only what changed needs the users service; a note works while users is down. The pair is checked
  // together: a new assignee must have the shift's role, a new role the assignee's. Publishing an assigned
  // draft here follows publish's rule: never to someone who has left (nor is on leave, or lacks the role).
  const publishing = b.status === 'published' && current.status !== 'published';
  if (referencesChanged || (publishing && next.user_id !== null))
    await checkReferences(
      deps.users,
      { location_id: current.location_id, role_id: next.role_id, user_id: next.user_id, when: next },
      requestId,
    );
  const row = await deps.db
    .transaction()
    .execute(async (trx) => {
      const updated = await updateShift(trx, current.id, current.version, changes);
      if (updated) await recordNotifications(trx, changeNotifications(current, updated));
      return updated;
    })
    .catch(async (err: unknown) => {
      throw isOverlap(err) ? await overlapProblem(deps.db, p, next, current.id) : err;
    });
  if (row) return toShift(row);
  // Someone else changed it between our read and our write.
  const now = await findShift(deps.db, current.id);
  throw now ? versionMismatch(now.version) : notFound('Shift', current.id);
}

export async function remove(
  deps: Deps,
  p: PersonPrincipal,
  id: number,
  ifMatch: string | undefined,
): Promise<void> {
  const current = await managedShift(deps, p, id, 'delete shifts');
  const expected = requiredIfMatch(ifMatch);
  const deleted = await deps.db.transaction().execute(async (trx) => {
    const gone = await softDeleteShift(trx, current.id, expected);
    if (gone) await recordNotifications(trx, removalNotifications(current));
    return gone;
  });
  if (deleted) return;
  const now = await findShift(deps.db, current.id);
  if (now && !now.deleted_at) throw versionMismatch(now.version);
}

export async function unassign(deps: Deps, userId: number) {
  const shift_ids = await unassignFuture(deps.db, userId, new Date());
  return { user_id: userId, shift_ids };
}
