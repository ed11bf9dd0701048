import {
  IdParams,
  ServiceScopes,
  Shift,
  ShiftCreate,
  ShiftListQuery,
  ShiftPage,
  ShiftPatch,
  UnassignRequest,
  UnassignResult,
  type Assignee,
  type PersonPrincipal,
  type ShiftListQuery as ListQuery,
  type ShiftOverlapProblem,
} from '@shiftstack/contract';
import {
  pageMeta,
  ProblemError,
  allowService,
  etagOf,
  forbidden,
  notFound,
  personCalling,
  pgError,
  requiredIfMatch,
  replyCreated,
  problemResponses,
  validateIdempotencyKey,
  versionMismatch,
  withIdempotency,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { ShiftRow, ShiftsDatabase } from '../db';
import { maySeeShift, requireManages } from '../access';
import type { UsersClient } from '../users-client';
import {
  findShift,
  insertShift,
  listShifts,
  overlapping,
  softDeleteShift,
  unassignFuture,
  updateShift,
  type ShiftValues,
} from './queries';
import { checkTimes, checkWindow } from './rules';

export function toShift(row: ShiftRow, assignee?: Assignee | null): Shift {
  return {
    id: row.id,
    location_id: row.location_id,
    role_id: row.role_id,
    user_id: row.user_id,
    start: row.start_at,
    end: row.end_at,
    timezone: row.timezone,
    break_minutes: row.break_minutes,
    notes: row.notes,
    status: row.status,
    published_at: row.published_at,
    deleted_at: row.deleted_at,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...(assignee !== undefined ? { assignee } : {}),
  };
}

const unprocessable = (
  code:
    | 'unknown-assignee'
    | 'inactive-assignee'
    | 'assignee-not-at-location'
    | 'assignee-lacks-role'
    | 'unknown-location'
    | 'unknown-role',
  param: string,
  detail: string,
) => new ProblemError({ status: 422, code, param, detail });

/**
 * Checks location, role and assignee with the users service (in parallel) before anything is written.
 * Returns the location's time zone. If users cannot answer, UpstreamUnavailable propagates: 503, nothing written.
 */
async function checkReferences(
  users: UsersClient,
  refs: { location_id: number; role_id?: number | null; user_id?: number | null },
  requestId: string,
): Promise<{ timezone: string }> {
  const [location, role, user] = await Promise.all([
    users.location(refs.location_id, requestId),
    refs.role_id ? users.role(refs.role_id, requestId) : undefined,
    refs.user_id ? users.user(refs.user_id, requestId) : undefined,
  ]);
  if (!location)
    throw unprocessable('unknown-location', 'location_id', `Location ${refs.location_id} does not exist.`);
  if (refs.role_id && (!role || role.location_id !== refs.location_id)) {
    throw unprocessable(
      'unknown-role',
      'role_id',
      `Role ${refs.role_id} does not exist at ${location.name}.`,
    );
  }
  if (refs.user_id) {
    if (!user) throw unprocessable('unknown-assignee', 'user_id', `User ${refs.user_id} does not exist.`);
    const name = `${user.first_name} ${user.last_name}`;
    if (!user.active)
      throw unprocessable('inactive-assignee', 'user_id', `${name} is inactive and cannot be given shifts.`);
    if (!user.location_ids.includes(refs.location_id)) {
      throw unprocessable(
        'assignee-not-at-location',
        'user_id',
        `${name} does not work at ${location.name}.`,
      );
    }
    if (role && !user.role_ids.includes(role.id)) {
      throw unprocessable(
        'assignee-lacks-role',
        'role_id',
        `${name} does not have the ${role.name} role, so cannot work this ${role.name} shift. Give them the role first, or choose someone who has it.`,
      );
    }
  }
  return { timezone: location.timezone };
}

/** Turns the exclusion constraint's refusal into a 409 naming the shifts it collides with. */
async function overlapProblem(
  db: Kysely<ShiftsDatabase>,
  v: { user_id: number | null; start_at: Date; end_at: Date },
  exceptId?: number,
) {
  const conflicts = v.user_id ? await overlapping(db, v.user_id, v.start_at, v.end_at, exceptId) : [];
  const body: Omit<ShiftOverlapProblem, 'code'> = {
    conflicting_shift_ids: conflicts.map((c) => c.id),
    conflicts: conflicts.map((c) => ({
      id: c.id,
      user_id: c.user_id!,
      start: c.start_at,
      end: c.end_at,
    })),
  };
  return new ProblemError({
    status: 409,
    code: 'shift-overlap',
    param: 'start',
    detail: `This person already has a shift at that time (shift ${body.conflicting_shift_ids.join(', ') || 'unknown'}).`,
    extra: body,
  });
}

const isOverlap = (err: unknown) => pgError(err).code === '23P01';

/**
 * The part of a list a person may read: admins everything; managers their locations; employees the
 * published shifts of their locations, with open ones only for roles they have.
 */
function readableBy(p: PersonPrincipal, q: ListQuery) {
  if (p.access === 'admin') return { location_id: q.location_id, status: q.status ?? 'all' };
  if (q.location_id !== undefined && !p.location_ids.includes(q.location_id))
    throw forbidden(`You do not work at location ${q.location_id}.`);
  const location_ids = q.location_id !== undefined ? [q.location_id] : p.location_ids;
  if (p.access === 'manager') return { location_ids, status: q.status ?? 'all' };
  if (q.status === 'draft' || q.include_deleted)
    throw forbidden('Employees see the published schedule only.');
  return { location_ids, status: 'published' as const, qualified_roles: p.role_ids };
}

const MANAGE = 'managers, at the locations they manage; admins';

export function shiftRoutes(app: ServiceInstance, db: Kysely<ShiftsDatabase>, users: UsersClient): void {
  const tags = ['shifts'];

  app.get(
    '/api/v1/shifts',
    {
      schema: {
        tags,
        summary: 'List shifts in a time window',
        description:
          "start[gte] and start[lt] are required, at most 42 days apart. Ordered by start, then id; keyset pagination. Each shift carries its assignee's name from the users service; when users cannot answer, names are null and meta.degraded is true.",
        'x-permission':
          "employees: their locations' published shifts, open ones only for their roles; managers: everything at their locations; admins: everything",
        querystring: ShiftListQuery,
        response: { 200: ShiftPage, ...problemResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const readable = readableBy(personCalling(request), q);
      const from = new Date(q['start[gte]']);
      const to = new Date(q['start[lt]']);
      checkWindow(from, to, { from: 'start[gte]', to: 'start[lt]' });
      const page = await listShifts(db, {
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
      const ids = page.rows.flatMap((r) => (r.user_id ? [r.user_id] : []));
      const { names, degraded } =
        ids.length > 0
          ? await users.names(ids, request.id)
          : { names: new Map<number, Assignee>(), degraded: false };
      return {
        data: page.rows.map((r) => toShift(r, r.user_id ? (names.get(r.user_id) ?? null) : null)),
        meta: { ...pageMeta(page), ...(degraded ? { degraded } : {}) },
      };
    },
  );

  app.get(
    '/api/v1/shifts/:id',
    {
      schema: {
        tags,
        summary: 'Get a shift',
        'x-permission':
          "employees: their locations' published shifts, open ones only for their roles; managers: their locations; admins: any",
        params: IdParams,
        response: { 200: Shift, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = personCalling(request);
      const row = await findShift(db, request.params.id);
      if (!row) throw notFound('Shift', request.params.id);
      if (!maySeeShift(p, row)) throw forbidden(`You may not read shift ${row.id}.`);
      const { names } = row.user_id
        ? await users.names([row.user_id], request.id)
        : { names: new Map<number, Assignee>() };
      return reply
        .header('etag', etagOf(row.version))
        .send(toShift(row, row.user_id ? (names.get(row.user_id) ?? null) : null));
    },
  );

  app.post(
    '/api/v1/shifts',
    {
      schema: {
        tags,
        summary: 'Create a shift',
        description:
          "Draft by default. The assignee must exist, be active, work at the location and have the shift's role (checked with the users service). Overlapping shifts for one person answer 409 shift-overlap. Send Idempotency-Key to make retries safe.",
        'x-permission': MANAGE,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: ShiftCreate,
        response: { 201: Shift, ...problemResponses },
      },
    },
    async (request, reply) => {
      const b = request.body;
      requireManages(personCalling(request), b.location_id, 'create shifts');
      const key = validateIdempotencyKey(request.headers['idempotency-key']);
      const start_at = new Date(b.start);
      const end_at = new Date(b.end);
      checkTimes(start_at, end_at, b.break_minutes ?? 0);
      const { timezone } = await checkReferences(users, b, request.id);
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
      const result = await withIdempotency(
        db,
        { scope: 'POST /api/v1/shifts', key, request: b },
        async (trx) => ({
          status: 201,
          body: toShift(await insertShift(trx, values)),
        }),
      ).catch(async (err: unknown) => {
        throw isOverlap(err) ? await overlapProblem(db, values) : err;
      });
      return replyCreated(reply, result, '/api/v1/shifts');
    },
  );

  app.patch(
    '/api/v1/shifts/:id',
    {
      schema: {
        tags,
        summary: 'Change, move, assign or unassign a shift',
        description:
          'If-Match is required (428 without it); answers 412 when the shift changed since you read it. Set user_id to null to make it open.',
        'x-permission': MANAGE,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        body: ShiftPatch,
        response: { 200: Shift, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = personCalling(request);
      if (p.access === 'employee') throw forbidden('Only managers and admins may change shifts.');
      const current = await findShift(db, request.params.id);
      if (!current) throw notFound('Shift', request.params.id);
      requireManages(p, current.location_id, 'change shifts');
      const expected = requiredIfMatch(request.headers['if-match']);
      if (current.deleted_at) {
        throw new ProblemError({
          status: 409,
          code: 'shift-deleted',
          detail: `Shift ${current.id} was deleted and cannot be changed.`,
        });
      }
      if (expected !== current.version) throw versionMismatch(current.version);
      const b = request.body;
      const next = {
        role_id: b.role_id !== undefined ? b.role_id : current.role_id,
        user_id: b.user_id !== undefined ? b.user_id : current.user_id,
        start_at: new Date(b.start ?? current.start_at),
        end_at: new Date(b.end ?? current.end_at),
        break_minutes: b.break_minutes ?? current.break_minutes,
      };
      checkTimes(next.start_at, next.end_at, next.break_minutes);
      // Only what changed needs the users service; a note or status change works while users is down.
      const newAssignee = b.user_id !== undefined && b.user_id !== current.user_id ? b.user_id : undefined;
      const newRole = b.role_id !== undefined && b.role_id !== current.role_id ? b.role_id : undefined;
      if (newAssignee || newRole) {
        // The pair is checked together: a new assignee must have the shift's role, a new role the assignee's.
        await checkReferences(
          users,
          { location_id: current.location_id, role_id: next.role_id, user_id: next.user_id },
          request.id,
        );
      }
      const changes = {
        ...(b.role_id !== undefined ? { role_id: b.role_id } : {}),
        ...(b.user_id !== undefined ? { user_id: b.user_id } : {}),
        ...(b.start ? { start_at: next.start_at } : {}),
        ...(b.end ? { end_at: next.end_at } : {}),
        ...(b.break_minutes !== undefined ? { break_minutes: b.break_minutes } : {}),
        ...(b.notes !== undefined ? { notes: b.notes } : {}),
        ...(b.status ? { status: b.status } : {}),
      };
      const row = await updateShift(db, current.id, current.version, changes).catch(async (err: unknown) => {
        throw isOverlap(err) ? await overlapProblem(db, next, current.id) : err;
      });
      if (!row) {
        // Someone else changed it between our read and our write.
        const now = await findShift(db, current.id);
        throw now ? versionMismatch(now.version) : notFound('Shift', current.id);
      }
      return reply.header('etag', etagOf(row.version)).send(toShift(row));
    },
  );

  app.delete(
    '/api/v1/shifts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a shift',
        description:
          'Soft delete: the shift stays readable with include_deleted=true. Deleting twice is harmless. If-Match is required.',
        'x-permission': MANAGE,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = personCalling(request);
      if (p.access === 'employee') throw forbidden('Only managers and admins may delete shifts.');
      const current = await findShift(db, request.params.id);
      if (!current) throw notFound('Shift', request.params.id);
      requireManages(p, current.location_id, 'delete shifts');
      const expected = requiredIfMatch(request.headers['if-match']);
      const deleted = await softDeleteShift(db, current.id, expected);
      if (!deleted) {
        const now = await findShift(db, current.id);
        if (now && !now.deleted_at) throw versionMismatch(now.version);
      }
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/shifts/unassign',
    {
      schema: {
        tags,
        summary: "Open a leaver's future shifts",
        description:
          'Called by the users service when it deactivates a person: every live shift of theirs that has not started becomes an open shift. Repeating it opens nothing more.',
        'x-permission': 'the users service only (client credentials with the shifts:unassign scope)',
        body: UnassignRequest,
        response: { 200: UnassignResult, ...problemResponses },
      },
    },
    async (request) => {
      if (allowService(request, ServiceScopes.openShifts) !== 'service')
        throw forbidden("Only the users service opens a leaver's shifts: deactivate the person instead.");
      const shift_ids = await unassignFuture(db, request.body.user_id, new Date());
      request.log.info(
        { user_id: request.body.user_id, opened: shift_ids.length },
        "opened a leaver's shifts",
      );
      return { user_id: request.body.user_id, shift_ids };
    },
  );
}
