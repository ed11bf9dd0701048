// Each person's weekly availability: read by themselves, their managers, admins and the shifts service
// (for its warnings), one person or a location's people at a time (the board's rows); replaced whole
// (PUT, If-Match) by themselves, their managers or admins.
import {
  Availability,
  AvailabilityPage,
  AvailabilityPut,
  IdParams,
  LocationAvailabilityQuery,
  belongsTo,
} from '@shiftstack/contract';
import {
  etagOf,
  forbidden,
  notFound,
  pageMeta,
  personCalling,
  problemResponses,
  requiredIfMatch,
  versionMismatch,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import { sql, type Kysely } from 'kysely';
import { Type } from 'typebox';
import { readerOf, requireSelfOrManager } from '../access';
import { findLocation } from '../locations/queries';
import type { UsersDatabase } from '../db';
import { findUser } from '../users/queries';
import { availabilityAt, checkWindows, readAvailability } from './queries';

const TAGS = ['availability'];
const SELF_OR_MANAGERS = 'the person; managers of one of their locations; admins';

const get = {
  tags: TAGS,
  summary: "A person's weekly availability",
  description: 'No windows means the person can work any time.',
  'x-permission': `${SELF_OR_MANAGERS}; the shifts service (users:read)`,
  params: IdParams,
  response: { 200: Availability, ...problemResponses },
};

const atLocation = {
  tags: TAGS,
  summary: "The weekly availability of a location's people",
  description:
    'One entry per active person of the location, in id order; keyset pagination. Employees get only their own.',
  'x-permission':
    'managers of the location and admins: everyone there; its employees: their own; the shifts service (users:read)',
  params: IdParams,
  querystring: LocationAvailabilityQuery,
  response: { 200: AvailabilityPage, ...problemResponses },
};

const put = {
  tags: TAGS,
  summary: "Replace a person's weekly availability",
  description:
    'Send every window (an empty list: available any time). If-Match with the version read is required (428 without it; 412 when it changed).',
  'x-permission': SELF_OR_MANAGERS,
  headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
  params: IdParams,
  body: AvailabilityPut,
  response: { 200: Availability, ...problemResponses },
};

export function availabilityRoutes(app: ServiceInstance, db: Kysely<UsersDatabase>): void {
  app.get('/api/v1/users/:id/availability', { schema: get }, async (request, reply) => {
    const reader = readerOf(request);
    const person = await findUser(db, request.params.id);
    if (!person) throw notFound('User', request.params.id);
    requireSelfOrManager(reader, person, 'read their availability');
    const availability = await readAvailability(db, person.id);
    return reply.header('etag', etagOf(availability.version)).send(availability);
  });

  app.get('/api/v1/locations/:id/availability', { schema: atLocation }, async (request) => {
    const reader = readerOf(request);
    if (!(await findLocation(db, request.params.id))) throw notFound('Location', request.params.id);
    if (reader !== 'service' && !belongsTo(reader, request.params.id))
      throw forbidden(`You do not work at location ${request.params.id}.`);
    // An employee sees their own windows only, as with every other person's details.
    const own = reader !== 'service' && reader.access === 'employee';
    if (own && request.query.user_id !== undefined && request.query.user_id !== reader.id)
      throw forbidden('Employees may read their own availability only.');
    const page = await availabilityAt(db, request.params.id, {
      user_id: own ? reader.id : request.query.user_id,
      limit: request.query.limit ?? 100,
      cursor: request.query.cursor,
    });
    return { data: page.rows, meta: pageMeta(page) };
  });

  app.put('/api/v1/users/:id/availability', { schema: put }, async (request, reply) => {
    const p = personCalling(request);
    const person = await findUser(db, request.params.id);
    if (!person) throw notFound('User', request.params.id);
    requireSelfOrManager(p, person, 'change their availability');
    const expected = requiredIfMatch(request.headers['if-match']);
    checkWindows(request.body.windows);
    const saved = await db.transaction().execute(async (trx) => {
      const bumped = await trx
        .updateTable('users')
        .set({ availability_version: sql`availability_version + 1` })
        .where('id', '=', person.id)
        .where('availability_version', '=', expected)
        .returning('id')
        .executeTakeFirst();
      if (!bumped) return false;
      await trx.deleteFrom('availability_windows').where('user_id', '=', person.id).execute();
      if (request.body.windows.length > 0)
        await trx
          .insertInto('availability_windows')
          .values(
            request.body.windows.map((w) => ({
              user_id: person.id,
              weekday: w.weekday,
              start_time: w.start,
              end_time: w.end,
            })),
          )
          .execute();
      return true;
    });
    if (!saved) throw versionMismatch((await readAvailability(db, person.id)).version);
    const availability = await readAvailability(db, person.id);
    return reply.header('etag', etagOf(availability.version)).send(availability);
  });
}
