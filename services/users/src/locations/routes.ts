import type { Location } from '@shiftstack/contract';
import { belongsTo } from '@shiftstack/contract';
import {
  pageMeta,
  ProblemError,
  etagOf,
  forbidden,
  invalid,
  isUniqueViolation,
  notFound,
  personCalling,
  requiredIfMatch,
  versionMismatch,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { readerOf, requireAdmin, visibleLocations } from '../access';
import type { UsersDatabase } from '../db';
import { findLocation, insertLocation, listLocations, updateLocation, type LocationRow } from './queries';
import * as schema from './route-schemas';

export function toLocation(row: LocationRow): Location {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    overtime_hours_per_week: row.overtime_hours_per_week,
    min_rest_hours: row.min_rest_hours,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export function assertTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw invalid('timezone', `${zone} is not an IANA time zone (like America/Toronto).`);
  }
}

function nameTaken(err: unknown, name: string | undefined): never {
  if (isUniqueViolation(err, 'locations_name_key')) {
    throw new ProblemError({
      status: 409,
      code: 'name-taken',
      param: 'name',
      detail: `A location named ${name} already exists.`,
    });
  }
  throw err;
}

export function locationRoutes(app: ServiceInstance, db: Kysely<UsersDatabase>): void {
  app.get(
    '/api/v1/locations',
    {
      schema: schema.list,
    },
    async (request) => {
      const page = await listLocations(db, {
        ids: visibleLocations(personCalling(request)),
        limit: request.query.limit ?? 100,
        cursor: request.query.cursor,
      });
      return {
        data: page.rows.map(toLocation),
        meta: pageMeta(page),
      };
    },
  );

  app.get(
    '/api/v1/locations/:id',
    {
      schema: schema.get,
    },
    async (request, reply) => {
      const reader = readerOf(request);
      const row = await findLocation(db, request.params.id);
      if (!row) throw notFound('Location', request.params.id);
      if (reader !== 'service' && !belongsTo(reader, row.id))
        throw forbidden(`You do not work at location ${row.id}.`);
      return reply.header('etag', etagOf(row.version)).send(toLocation(row));
    },
  );

  app.post(
    '/api/v1/locations',
    {
      schema: schema.create,
    },
    async (request, reply) => {
      requireAdmin(personCalling(request), 'create locations');
      assertTimeZone(request.body.timezone);
      const row = await insertLocation(db, { ...request.body, name: request.body.name.trim() }).catch(
        (err: unknown) => nameTaken(err, request.body.name),
      );
      return reply.code(201).header('location', `/api/v1/locations/${row.id}`).send(toLocation(row));
    },
  );

  app.patch(
    '/api/v1/locations/:id',
    {
      schema: schema.change,
    },
    async (request, reply) => {
      requireAdmin(personCalling(request), 'change locations');
      if (!(await findLocation(db, request.params.id))) throw notFound('Location', request.params.id);
      const expected = requiredIfMatch(request.headers['if-match']);
      if (request.body.timezone) assertTimeZone(request.body.timezone);
      const values = { ...request.body, ...(request.body.name ? { name: request.body.name.trim() } : {}) };
      const row = await updateLocation(db, request.params.id, expected, values).catch((err: unknown) =>
        nameTaken(err, request.body.name),
      );
      if (!row) {
        const current = await findLocation(db, request.params.id);
        throw current ? versionMismatch(current.version) : notFound('Location', request.params.id);
      }
      return reply.header('etag', etagOf(row.version)).send(toLocation(row));
    },
  );
}
