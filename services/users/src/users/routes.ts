import {
  IdParams,
  Me,
  User,
  UserCreate,
  UserDeactivate,
  UserDeactivated,
  UserListQuery,
  UserPage,
  UserPatch,
  accessOf,
  type PersonPrincipal,
} from '@shiftstack/contract';
import {
  pageMeta,
  ProblemError,
  etagOf,
  forbidden,
  isUniqueViolation,
  personCalling,
  requiredIfMatch,
  notFound,
  problemResponses,
  replyCreated,
  validateIdempotencyKey,
  versionMismatch,
  withIdempotency,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { UsersDatabase } from '../db';
import { asSeenBy, maySee, readerOf, requireAdmin, requireManages, visibleLocations } from '../access';
import { existingLocationIds } from '../locations/queries';
import { rolesByIds } from '../roles/queries';
import type { ShiftsClient } from '../shifts-client';
import { findUser, insertUser, listUsers, updateUser, type UserRow } from './queries';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
    mobile_number: row.mobile_number,
    type: row.type,
    active: row.active,
    inactive_reason: row.inactive_reason,
    hire_date: row.hire_date,
    location_ids: row.location_ids,
    role_ids: row.role_ids,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * Refuses ids of locations or roles that do not exist, naming the field at fault, and roles at a location
 * the person does not work at. `links` are the person's locations and roles after the change.
 */
async function checkLinks(
  db: Kysely<UsersDatabase>,
  links: { location_ids?: number[]; role_ids?: number[] },
) {
  if (links.location_ids?.length) {
    const found = await existingLocationIds(db, links.location_ids);
    const missing = links.location_ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ProblemError({
        status: 422,
        code: 'unknown-location',
        param: 'location_ids',
        detail: `Unknown location ids: ${missing.join(', ')}.`,
      });
    }
  }
  if (links.role_ids?.length) {
    const roles = await rolesByIds(db, links.role_ids);
    const found = new Set(roles.map((r) => r.id));
    const missing = links.role_ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ProblemError({
        status: 422,
        code: 'unknown-role',
        param: 'role_ids',
        detail: `Unknown role ids: ${missing.join(', ')}.`,
      });
    }
    const elsewhere = roles.filter((r) => !(links.location_ids ?? []).includes(r.location_id));
    if (elsewhere.length > 0) {
      throw new ProblemError({
        status: 422,
        code: 'role-not-at-location',
        param: 'role_ids',
        detail: `${elsewhere.map((r) => `${r.name} (role ${r.id})`).join(', ')} belongs to location ${[...new Set(elsewhere.map((r) => r.location_id))].join(', ')}, where this person does not work. Add the location too, or choose a role at their locations.`,
      });
    }
  }
}

/** What a manager may not do to a person: touch admins, make admins, or move people between locations they do not run. */
function checkManagerChange(
  p: PersonPrincipal,
  current: UserRow,
  change: { type?: UserRow['type']; location_ids?: number[] },
) {
  if (p.access === 'admin') return;
  if (p.access === 'employee') throw forbidden('Only managers and admins may change people.');
  if (!current.location_ids.some((id) => p.location_ids.includes(id)))
    throw forbidden(`${current.first_name} ${current.last_name} does not work at a location you manage.`);
  if (accessOf(current.type) === 'admin') throw forbidden('Only admins may change an admin.');
  if (change.type && accessOf(change.type) === 'admin') requireAdmin(p, 'make someone an admin');
  if (change.location_ids) {
    const before = new Set(current.location_ids);
    const after = new Set(change.location_ids);
    const moved = [...before, ...after].filter((id) => before.has(id) !== after.has(id));
    requireManages(p, moved, 'add or remove people');
  }
}

function emailTaken(err: unknown): never {
  if (isUniqueViolation(err, 'users_email_key')) {
    throw new ProblemError({
      status: 409,
      code: 'email-taken',
      param: 'email',
      detail: 'Another person already has this email address.',
    });
  }
  throw err;
}

const trimmed = <T extends { first_name?: string; last_name?: string; email?: string | null }>(b: T): T => ({
  ...b,
  ...(b.first_name !== undefined ? { first_name: b.first_name.trim() } : {}),
  ...(b.last_name !== undefined ? { last_name: b.last_name.trim() } : {}),
  ...(typeof b.email === 'string' ? { email: b.email.trim() } : {}),
});

export function userRoutes(app: ServiceInstance, db: Kysely<UsersDatabase>, shifts: ShiftsClient): void {
  const tags = ['users'];

  app.get(
    '/api/v1/users/me',
    {
      schema: {
        tags,
        summary: 'Who I am',
        description: 'The signed-in person, with what they may do (`access`).',
        'x-permission': 'anyone signed in',
        response: { 200: Me, ...problemResponses },
      },
    },
    async (request) => {
      const me = personCalling(request);
      const row = await findUser(db, me.id);
      if (!row) throw notFound('User', me.id);
      return { ...toUser(row), access: me.access };
    },
  );

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'List people',
        description:
          'Ordered by last name, first name, id. Active people by default; `ids` reads a batch (any status). Keyset pagination: follow meta.cursor.next.',
        'x-permission':
          'employees: the people at their locations, names only (no email or phone); managers: the people at their locations; admins and the shifts service (users:read): everyone',
        querystring: UserListQuery,
        response: { 200: UserPage, ...problemResponses },
      },
    },
    async (request) => {
      const reader = readerOf(request);
      const { ids, status, limit = 100, ...rest } = request.query;
      const seesContacts = reader === 'service' || reader.access !== 'employee';
      if (rest.email && !seesContacts)
        throw forbidden('Only managers and admins may look people up by email.');
      const idList = ids ? [...new Set(ids.split(',').map(Number))] : undefined;
      const page = await listUsers(db, {
        ...rest,
        ids: idList,
        status: status ?? (idList ? 'all' : 'active'),
        within_locations: visibleLocations(reader),
        search_email: seesContacts,
        limit,
      });
      return {
        data: page.rows.map((r) => asSeenBy(reader, toUser(r))),
        meta: pageMeta(page),
      };
    },
  );

  app.get(
    '/api/v1/users/:id',
    {
      schema: {
        tags,
        summary: 'Get a person',
        description:
          'Answers with an ETag (the version); send it back in If-Match when you change the person.',
        'x-permission':
          'employees: themselves, and colleagues at their locations without email or phone; managers: the people at their locations; admins and the shifts service (users:read): anyone',
        params: IdParams,
        response: { 200: User, 304: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const reader = readerOf(request);
      const row = await findUser(db, request.params.id);
      if (!row) throw notFound('User', request.params.id);
      if (!maySee(reader, row)) throw forbidden(`Person ${row.id} does not work at any of your locations.`);
      reply.header('etag', etagOf(row.version));
      if (request.headers['if-none-match'] === etagOf(row.version)) return reply.code(304).send(null);
      return asSeenBy(reader, toUser(row));
    },
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'Add a person',
        description:
          "Send an Idempotency-Key header to make retries safe: the same key and body answer the same response. A person's roles must be at their locations.",
        'x-permission': 'managers, at the locations they manage (not admins); admins',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: UserCreate,
        response: { 201: User, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = personCalling(request);
      const key = validateIdempotencyKey(request.headers['idempotency-key']);
      const body = trimmed(request.body);
      const { location_ids = [], role_ids = [], ...values } = body;
      if (p.access !== 'admin') {
        requireManages(p, location_ids, 'add people');
        if (location_ids.length === 0) throw forbidden('Add the person to a location you manage.');
        if (values.type && accessOf(values.type) === 'admin') requireAdmin(p, 'make someone an admin');
      }
      const result = await withIdempotency(
        db,
        { scope: 'POST /api/v1/users', key, request: request.body },
        async (trx) => {
          await checkLinks(trx, { location_ids, role_ids });
          const row = await insertUser(trx, values, { location_ids, role_ids }).catch(emailTaken);
          return { status: 201, body: toUser(row) };
        },
      );
      return replyCreated(reply, result, '/api/v1/users');
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      schema: {
        tags,
        summary: 'Change a person',
        description:
          'If-Match is required (428 without it); answers 412 when the person changed since you read them. `active: true` reactivates.',
        'x-permission':
          'managers, for people at their locations who are not admins, moving them only between locations they manage; admins',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        body: UserPatch,
        response: { 200: User, ...problemResponses },
      },
    },
    async (request, reply) => {
      const p = personCalling(request);
      if (p.access === 'employee') throw forbidden('Only managers and admins may change people.');
      const { location_ids, role_ids, active, ...values } = trimmed(request.body);
      const row = await db.transaction().execute(async (trx) => {
        const before = await findUser(trx, request.params.id);
        if (!before) throw notFound('User', request.params.id);
        const expected = requiredIfMatch(request.headers['if-match']);
        checkManagerChange(p, before, { type: values.type, location_ids });
        if (location_ids || role_ids) {
          await checkLinks(trx, {
            location_ids: location_ids ?? before.location_ids,
            role_ids: role_ids ?? before.role_ids,
          });
        }
        const reactivate = active ? { active: true, inactive_reason: null } : {};
        const updated = await updateUser(
          trx,
          request.params.id,
          expected,
          { ...values, ...reactivate },
          { location_ids, role_ids },
        ).catch(emailTaken);
        if (updated) return updated;
        const current = await findUser(trx, request.params.id);
        if (!current) throw notFound('User', request.params.id);
        throw versionMismatch(current.version);
      });
      return reply.header('etag', etagOf(row.version)).send(toUser(row));
    },
  );

  app.delete(
    '/api/v1/users/:id',
    {
      schema: {
        tags,
        summary: 'Deactivate a person',
        description:
          'People are never erased: they become inactive, with a reason, and keep their history. Their future shifts become open shifts first (`opened_shift_ids`); if shifts cannot answer, nothing changes (503) and you can retry. If-Match is required.',
        'x-permission': 'managers, for people at their locations who are not admins; admins',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        body: Type.Optional(UserDeactivate),
        response: { 200: UserDeactivated, ...problemResponses },
      },
      // The body is optional, but a schema for it makes Fastify validate a missing one as `undefined`
      // ("body must be object"): a plain DELETE would be refused. Treat no body as an empty one.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const p = personCalling(request);
      if (p.access === 'employee') throw forbidden('Only managers and admins may deactivate people.');
      const reason = request.body?.inactive_reason?.trim() || 'Deactivated';
      const before = await findUser(db, request.params.id);
      if (!before) throw notFound('User', request.params.id);
      const expected = requiredIfMatch(request.headers['if-match']);
      checkManagerChange(p, before, {});
      if (expected !== before.version && before.active) throw versionMismatch(before.version);
      // Shifts first: if it cannot answer, the person stays active and nothing has changed. Repeating the
      // deactivation (even of someone already inactive) opens whatever is still theirs.
      const opened = await shifts.openFutureShifts(before.id, request.id);
      const row = await db.transaction().execute(async (trx) => {
        const current = await findUser(trx, before.id);
        if (!current) throw notFound('User', before.id);
        if (!current.active) return current; // already inactive: deactivating again changes nothing
        if (expected !== current.version) throw versionMismatch(current.version);
        return (
          (await updateUser(trx, current.id, current.version, { active: false, inactive_reason: reason })) ??
          current
        );
      });
      return reply.header('etag', etagOf(row.version)).send({ ...toUser(row), opened_shift_ids: opened });
    },
  );
}
