import {
  IdParams,
  User,
  UserCreate,
  UserDeactivate,
  UserListQuery,
  UserPage,
  UserPatch,
} from '@shiftstack/contract';
import {
  ProblemError,
  etagOf,
  ifMatchVersion,
  isUniqueViolation,
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
import { existingLocationIds } from '../locations/queries';
import { rolesByIds } from '../roles/queries';
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
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Refuses ids of locations or roles that do not exist, naming the field at fault. */
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
    const found = new Set((await rolesByIds(db, links.role_ids)).map((r) => r.id));
    const missing = links.role_ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ProblemError({
        status: 422,
        code: 'unknown-role',
        param: 'role_ids',
        detail: `Unknown role ids: ${missing.join(', ')}.`,
      });
    }
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

export function userRoutes(app: ServiceInstance, db: Kysely<UsersDatabase>): void {
  const tags = ['users'];

  app.get(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'List people',
        description:
          'Ordered by last name, first name, id. Active people by default; `ids` reads a batch (any status). Keyset pagination: follow meta.cursor.next.',
        querystring: UserListQuery,
        response: { 200: UserPage, ...problemResponses },
      },
    },
    async (request) => {
      const { ids, status, limit = 100, ...rest } = request.query;
      const idList = ids ? [...new Set(ids.split(',').map(Number))] : undefined;
      const page = await listUsers(db, {
        ...rest,
        ids: idList,
        status: status ?? (idList ? 'all' : 'active'),
        limit,
      });
      return {
        data: page.rows.map(toUser),
        meta: { cursor: { next: page.next, prev: page.prev, count: page.rows.length } },
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
        params: IdParams,
        response: { 200: User, 304: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const row = await findUser(db, request.params.id);
      if (!row) throw notFound('User', request.params.id);
      reply.header('etag', etagOf(row.version));
      if (request.headers['if-none-match'] === etagOf(row.version)) return reply.code(304).send(null);
      return toUser(row);
    },
  );

  app.post(
    '/api/v1/users',
    {
      schema: {
        tags,
        summary: 'Add a person',
        description:
          'Send an Idempotency-Key header to make retries safe: the same key and body answer the same response.',
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
        body: UserCreate,
        response: { 201: User, ...problemResponses },
      },
    },
    async (request, reply) => {
      const key = validateIdempotencyKey(request.headers['idempotency-key']);
      const body = trimmed(request.body);
      const { location_ids = [], role_ids = [], ...values } = body;
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
          'With If-Match, answers 412 when the person changed since you read them. `active: true` reactivates.',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        body: UserPatch,
        response: { 200: User, ...problemResponses },
      },
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request.headers['if-match']);
      const { location_ids, role_ids, active, ...values } = trimmed(request.body);
      const row = await db.transaction().execute(async (trx) => {
        await checkLinks(trx, { location_ids, role_ids });
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
        description: 'People are never erased: they become inactive, with a reason, and keep their history.',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        body: Type.Optional(UserDeactivate),
        response: { 200: User, ...problemResponses },
      },
      // The body is optional, but a schema for it makes Fastify validate a missing one as `undefined`
      // ("body must be object"): a plain DELETE would be refused. Treat no body as an empty one.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const expected = ifMatchVersion(request.headers['if-match']);
      const reason = request.body?.inactive_reason?.trim() || 'Deactivated';
      const row = await db.transaction().execute(async (trx) => {
        const current = await findUser(trx, request.params.id);
        if (!current) throw notFound('User', request.params.id);
        if (expected !== undefined && expected !== current.version) throw versionMismatch(current.version);
        if (!current.active) return current; // already inactive: deactivating again changes nothing
        return (
          (await updateUser(trx, current.id, current.version, { active: false, inactive_reason: reason })) ??
          current
        );
      });
      return reply.header('etag', etagOf(row.version)).send(toUser(row));
    },
  );
}
