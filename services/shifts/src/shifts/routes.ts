import {
  IdParams,
  Shift,
  ShiftCreate,
  ShiftListQuery,
  ShiftPage,
  ShiftPatch,
  type Assignee,
  type ShiftOverlapProblem,
} from '@shiftstack/contract';
import {
  ProblemError,
  etagOf,
  ifMatchVersion,
  notFound,
  pgError,
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
import type { UsersClient } from '../users-client';
import {
  findShift,
  insertShift,
  listShifts,
  overlapping,
  softDeleteShift,
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
    start: row.start_at.toISOString(),
    end: row.end_at.toISOString(),
    timezone: row.timezone,
    break_minutes: row.break_minutes,
    notes: row.notes,
    status: row.status,
    published_at: row.published_at?.toISOString() ?? null,
    deleted_at: row.deleted_at?.toISOString() ?? null,
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    ...(assignee !== undefined ? { assignee } : {}),
  };
}

const unprocessable = (
  code:
    | 'unknown-assignee'
    | 'inactive-assignee'
    | 'assignee-not-at-location'
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
      start: c.start_at.toISOString(),
      end: c.end_at.toISOString(),
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
        querystring: ShiftListQuery,
        response: { 200: ShiftPage, ...problemResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const from = new Date(q['start[gte]']);
      const to = new Date(q['start[lt]']);
      checkWindow(from, to, { from: 'start[gte]', to: 'start[lt]' });
      const page = await listShifts(db, {
        from,
        to,
        location_id: q.location_id,
        user_id: q.user_id,
        role_id: q.role_id,
        open: q.open,
        status: q.status ?? 'all',
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
        meta: {
          cursor: { next: page.next, prev: page.prev, count: page.rows.length },
          ...(degraded ? { degraded } : {}),
        },
      };
    },
  );

  app.get(
    '/api/v1/shifts/:id',
    {
      schema: {
        tags,
        summary: 'Get a shift',
        params: IdParams,
        response: { 200: Shift, ...problemResponses },
      },
    },
    async (request, reply) => {
      const row = await findShift(db, request.params.id);
      if (!row) throw notFound('Shift', request.params.id);
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
          'Draft by default. The assignee must exist, be active and work at the location (checked with the users service). Overlapping shifts for one person answer 409 shift-overlap. Send Idempotency-Key to make retries safe.',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: ShiftCreate,
        response: { 201: Shift, ...problemResponses },
      },
    },
    async (request, reply) => {
      const key = validateIdempotencyKey(request.headers['idempotency-key']);
      const b = request.body;
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
          'With If-Match, answers 412 when the shift changed since you read it. Set user_id to null to make it open.',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        body: ShiftPatch,
        response: { 200: Shift, ...problemResponses },
      },
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request.headers['if-match']);
      const current = await findShift(db, request.params.id);
      if (!current) throw notFound('Shift', request.params.id);
      if (current.deleted_at) {
        throw new ProblemError({
          status: 409,
          code: 'shift-deleted',
          detail: `Shift ${current.id} was deleted and cannot be changed.`,
        });
      }
      if (expected !== undefined && expected !== current.version) throw versionMismatch(current.version);
      const b = request.body;
      const next = {
        role_id: b.role_id !== undefined ? b.role_id : current.role_id,
        user_id: b.user_id !== undefined ? b.user_id : current.user_id,
        start_at: b.start ? new Date(b.start) : current.start_at,
        end_at: b.end ? new Date(b.end) : current.end_at,
        break_minutes: b.break_minutes ?? current.break_minutes,
      };
      checkTimes(next.start_at, next.end_at, next.break_minutes);
      // Only what changed needs the users service; a note or status change works while users is down.
      const newAssignee = b.user_id !== undefined && b.user_id !== current.user_id ? b.user_id : undefined;
      const newRole = b.role_id !== undefined && b.role_id !== current.role_id ? b.role_id : undefined;
      if (newAssignee || newRole) {
        await checkReferences(
          users,
          { location_id: current.location_id, role_id: newRole, user_id: newAssignee },
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
          'Soft delete: the shift stays readable with include_deleted=true. Deleting twice is harmless.',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request.headers['if-match']);
      const deleted = await softDeleteShift(db, request.params.id, expected);
      if (!deleted) {
        const current = await findShift(db, request.params.id);
        if (!current) throw notFound('Shift', request.params.id);
        if (!current.deleted_at && expected !== undefined) throw versionMismatch(current.version);
      }
      return reply.code(204).send(null);
    },
  );
}
