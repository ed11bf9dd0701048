import {
  IdParams,
  Location,
  LocationCreate,
  LocationListQuery,
  LocationPage,
  LocationPatch,
} from '@shiftstack/contract';
import {
  ProblemError,
  invalid,
  isUniqueViolation,
  notFound,
  problemResponses,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { UsersDatabase } from '../db';
import { findLocation, insertLocation, listLocations, updateLocation, type LocationRow } from './queries';

export function toLocation(row: LocationRow): Location {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
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
        querystring: LocationListQuery,
        response: { 200: LocationPage, ...problemResponses },
      },
    },
    async (request) => {
      const page = await listLocations(db, {
        limit: request.query.limit ?? 100,
        cursor: request.query.cursor,
      });
      return {
        data: page.rows.map(toLocation),
        meta: { cursor: { next: page.next, prev: page.prev, count: page.rows.length } },
      };
    },
  );

  app.get(
    '/api/v1/locations/:id',
    {
      schema: {
        tags,
        summary: 'Get a location',
        params: IdParams,
        response: { 200: Location, ...problemResponses },
      },
    },
    async (request) => {
      const row = await findLocation(db, request.params.id);
      if (!row) throw notFound('Location', request.params.id);
      return toLocation(row);
    },
  );

  app.post(
    '/api/v1/locations',
    {
      schema: {
        tags,
        summary: 'Create a location',
        body: LocationCreate,
        response: { 201: Location, ...problemResponses },
      },
    },
    async (request, reply) => {
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
        params: IdParams,
        body: LocationPatch,
        response: { 200: Location, ...problemResponses },
      },
    },
    async (request) => {
      if (request.body.timezone) assertTimeZone(request.body.timezone);
      const values = { ...request.body, ...(request.body.name ? { name: request.body.name.trim() } : {}) };
      const row = await updateLocation(db, request.params.id, values).catch((err: unknown) =>
        nameTaken(err, request.body.name),
      );
      if (!row) throw notFound('Location', request.params.id);
      return toLocation(row);
    },
  );
}
