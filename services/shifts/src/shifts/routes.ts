// The shifts routes: each path, its schema (route-schemas.ts) and its handler (handlers.ts), which this
// registrar feeds with what it reads off the request: the caller, the validated input, the request id.
import { ServiceScopes } from '@shiftstack/contract';
import {
  allowService,
  etagOf,
  forbidden,
  personCalling,
  replyCreated,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { ShiftsDatabase } from '../db';
import type { UsersClient } from '../users-client';
import * as handle from './handlers';
import * as schema from './route-schemas';

export { toShift } from './to-shift';

export function shiftRoutes(app: ServiceInstance, db: Kysely<ShiftsDatabase>, users: UsersClient): void {
  const deps: handle.Deps = { db, users };
  app.get('/api/v1/shifts', { schema: schema.list }, async (request) =>
    handle.listPage(deps, personCalling(request), request.query, request.id),
  );
  app.get('/api/v1/shifts/:id', { schema: schema.get }, async (request, reply) => {
    const shift = await handle.readOne(deps, personCalling(request), request.params.id, request.id);
    return reply.header('etag', etagOf(shift.version)).send(shift);
  });
  app.post('/api/v1/shifts', { schema: schema.create }, async (request, reply) => {
    const key = request.headers['idempotency-key'];
    const result = await handle.create(deps, personCalling(request), request.body, key, request.id);
    return replyCreated(reply, result, '/api/v1/shifts');
  });
  app.patch('/api/v1/shifts/:id', { schema: schema.change }, async (request, reply) => {
    const p = personCalling(request);
    const shift = await handle.change(deps, p, request.params.id, ifMatch(request), request.body, request.id);
    return reply.header('etag', etagOf(shift.version)).send(shift);
  });
  app.delete('/api/v1/shifts/:id', { schema: schema.remove }, async (request, reply) => {
    await handle.remove(deps, personCalling(request), request.params.id, ifMatch(request));
    return reply.code(204).send(null);
  });
  app.post('/api/v1/shifts/unassign', { schema: schema.unassign }, async (request) => {
    if (allowService(request, ServiceScopes.openShifts) !== 'service')
      throw forbidden("Only the users service opens a leaver's shifts: deactivate the person instead.");
    const result = await handle.unassign(deps, request.body.user_id);
    // The person is leaving: their next request here asks users who they are (deactivated) afresh.
    users.forgetPerson(result.user_id);
    request.log.info(
      { user_id: result.user_id, opened: result.shift_ids.length },
      "opened a leaver's shifts",
    );
    return result;
  });
}

const ifMatch = (request: { headers: { 'if-match'?: string } }) => request.headers['if-match'];
