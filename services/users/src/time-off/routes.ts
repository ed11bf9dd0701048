import {
  IdParams,
  TimeOff,
  TimeOffCreate,
  TimeOffDecision,
  TimeOffListQuery,
  TimeOffPage,
} from '@shiftstack/contract';
import { etagOf, personCalling, problemResponses, type ServiceInstance } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import { readerOf } from '../access';
import type { UsersDatabase } from '../db';
import * as handle from './handlers';

const TAGS = ['time off'];

const schema = {
  list: {
    tags: TAGS,
    summary: 'List time off overlapping a range of days',
    description: 'Ordered by first day, then id; keyset pagination. from and to are at most 366 days apart.',
    'x-permission':
      'employees: their own; managers: the people of their locations; admins: everyone; the shifts service (users:read)',
    querystring: TimeOffListQuery,
    response: { 200: TimeOffPage, ...problemResponses },
  },
  get: {
    tags: TAGS,
    summary: 'Get a time-off request',
    'x-permission': 'the person; managers of one of their locations; admins; the shifts service (users:read)',
    params: IdParams,
    response: { 200: TimeOff, ...problemResponses },
  },
  create: {
    tags: TAGS,
    summary: 'Ask for time off',
    description: 'For the caller, or (user_id) for someone a manager runs. Starts as requested.',
    'x-permission': 'anyone, for themselves; managers, for the people of their locations; admins',
    body: TimeOffCreate,
    response: { 201: TimeOff, ...problemResponses },
  },
  decide: {
    tags: TAGS,
    summary: 'Approve or decline time off',
    description: 'If-Match with the version read is required (428 without it; 412 when it changed).',
    'x-permission': 'managers of one of the person’s locations (not for themselves); admins',
    headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
    params: IdParams,
    body: TimeOffDecision,
    response: { 200: TimeOff, ...problemResponses },
  },
};

export function timeOffRoutes(app: ServiceInstance, db: Kysely<UsersDatabase>): void {
  app.get('/api/v1/time-off', { schema: schema.list }, async (request) =>
    handle.listPage(db, readerOf(request), request.query),
  );
  app.get('/api/v1/time-off/:id', { schema: schema.get }, async (request, reply) => {
    const row = await handle.readOne(db, readerOf(request), request.params.id);
    return reply.header('etag', etagOf(row.version)).send(row);
  });
  app.post('/api/v1/time-off', { schema: schema.create }, async (request, reply) => {
    const row = await handle.create(db, personCalling(request), request.body);
    return reply
      .code(201)
      .header('location', `/api/v1/time-off/${row.id}`)
      .header('etag', etagOf(row.version))
      .send(row);
  });
  app.patch('/api/v1/time-off/:id', { schema: schema.decide }, async (request, reply) => {
    const p = personCalling(request);
    const row = await handle.decide(db, p, request.params.id, request.headers['if-match'], request.body);
    return reply.header('etag', etagOf(row.version)).send(row);
  });
}
