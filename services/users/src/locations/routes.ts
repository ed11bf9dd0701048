import {
  IdParams,
  Location,
  LocationCreate,
  LocationListQuery,
  LocationPage,
  LocationPatch,
} from '@shiftstack/contract';
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
  problemResponses,
  requiredIfMatch,
  versionMismatch,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { readerOf, requireAdmin, visibleLocations } from '../access';
import type { UsersDatabase } from '../db';
import { findLocation, insertLocation, listLocations, updateLocation, type LocationRow } from './queries';

export function toLocation(row: LocationRow): Location {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
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
  const tags = ['locations'];
  app.get(
    '/api/v1/locations',
    {
      schema: {
        tags,
        summary: 'List locations',
        'x-permission': 'employees and managers: their own locations; admins: all',
        querystring: LocationListQuery,
        response: { 200: LocationPage, ...problemResponses },
      },
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
      schema: {
        tags,
        summary: 'Get a location',
        'x-permission':
          'employees and managers: their own locations; admins and the shifts service (users:read): any',
        params: IdParams,
        response: { 200: Location, ...problemResponses },
      },
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
      schema: {
        tags,
        summary: 'Create a location',
        'x-permission': 'admins',
        body: LocationCreate,
        response: { 201: Location, ...problemResponses },
      },
    },
    async (request, reply) => {
      requireAdmin(personCalling(request), 'create locations');
      assertTimeZone(request.body.timezone);
      const row = await insertLocation(db, {
        name: request.body.name.trim(),
        timezone: request.body.timezone,
      }).catch((err: unknown) => nameTaken(err, request.body.name));
      return reply.code(201).header('location', `/api/v1/locations/${row.id}`).send(toLocation(row));
    },
  );

  app.patch(
    '/api/v1/locations/:id',
    {
      schema: {
        tags,
        summary: 'Change a location',
        description:
          'If-Match is required (428 without it); answers 412 when the location changed since you read it.',
        'x-permission': 'admins',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        params: IdParams,
        body: LocationPatch,
        response: { 200: Location, ...problemResponses },
      },
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
