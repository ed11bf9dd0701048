// The users routes: each path, its schema (route-schemas.ts) and its handler (handlers.ts), which this
// registrar feeds with what it reads off the request: the caller, the validated input, the request id.
import {
  asciiLower,
  etagOf,
  forbidden,
  personCalling,
  replyCreated,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import { readerOf } from '../access';
import type { UsersDatabase } from '../db';
import type { ShiftsClient } from '../shifts-client';
import * as handle from './handlers';
import * as schema from './route-schemas';

export { toUser } from './to-user';

export function userRoutes(app: ServiceInstance, db: Kysely<UsersDatabase>, shifts: ShiftsClient): void {
  const deps: handle.Deps = { db, shifts };
  app.get('/api/v1/users/me', { schema: schema.me }, async (request) =>
    handle.me(deps, personCalling(request)),
  );
  app.get('/api/v1/users/by-identity', { schema: schema.byIdentity }, async (request) => {
    if (readerOf(request) !== 'service')
      throw forbidden('Only the shifts service asks who an identity signs in as; sign in yourself instead.');
    const { issuer, subject, email, email_verified } = request.query;
    return handle.byIdentity(deps, {
      issuer,
      subject,
      ...(email ? { email: asciiLower(email) } : {}),
      emailVerified: email_verified === true,
    });
  });
  app.get('/api/v1/users', { schema: schema.list }, async (request) =>
    handle.listPage(deps, readerOf(request), request.query),
  );
  app.get('/api/v1/users/:id', { schema: schema.get }, async (request, reply) => {
    const user = await handle.readOne(deps, readerOf(request), request.params.id);
    reply.header('etag', etagOf(user.version));
    if (request.headers['if-none-match'] === etagOf(user.version)) return reply.code(304).send(null);
    return user;
  });
  app.post('/api/v1/users', { schema: schema.create }, async (request, reply) => {
    const p = personCalling(request);
    const result = await handle.create(deps, p, request.body, request.headers['idempotency-key']);
    return replyCreated(reply, result, '/api/v1/users');
  });
  app.patch('/api/v1/users/:id', { schema: schema.change }, async (request, reply) => {
    const p = personCalling(request);
    const user = await handle.change(deps, p, request.params.id, request.headers['if-match'], request.body);
    return reply.header('etag', etagOf(user.version)).send(user);
  });
  app.delete(
    '/api/v1/users/:id',
    {
      schema: schema.deactivate,
      // The body is optional, but a schema for it makes Fastify validate a missing one as `undefined`
      // ("body must be object"): a plain DELETE would be refused. Treat no body as an empty one.
      preValidation: async (request) => {
        if (request.body === undefined || request.body === null) request.body = {};
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const reason = request.body?.inactive_reason;
      const p = personCalling(request);
      const user = await handle.deactivate(deps, p, id, request.headers['if-match'], reason, request.id);
      return reply.header('etag', etagOf(user.version)).send(user);
    },
  );
}
