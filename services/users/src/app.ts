// The users service as a plugin-style function: the chassis builds the server, this adds the routes.
// Tests build it with buildUsersApp() and call app.inject() without a port.
import {
  createServer,
  type Database,
  type Metrics,
  type Readiness,
  type ServerOptions,
  type ServiceInstance,
  type TokenVerifier,
} from '@shiftstack/service-kit';
import { usersAuthentication } from './access';
import { availabilityRoutes } from './availability/routes';
import type { UsersDatabase } from './db';
import { locationRoutes } from './locations/routes';
import { roleRoutes } from './roles/routes';
import type { ShiftsClient } from './shifts-client';
import { timeOffRoutes } from './time-off/routes';
import { userRoutes } from './users/routes';

export const USERS_OPENAPI = {
  title: 'shiftstack users API',
  version: '0.1.0',
  description: 'People (employees and managers), the locations they work at, and their roles.',
};

export interface UsersAppOptions extends Omit<ServerOptions, 'openapi'> {
  database: Database<UsersDatabase>;
  metrics: Metrics;
  readiness: Readiness;
  shifts: ShiftsClient;
  /** Tests may verify tokens their own way; by default the issuer's discovered key set. */
  verifier?: TokenVerifier;
}

export async function buildUsersApp(opts: UsersAppOptions): Promise<ServiceInstance> {
  const db = opts.database.db;
  const access = usersAuthentication(opts.config.auth, db, opts.verifier);
  const app = await createServer({ ...opts, openapi: USERS_OPENAPI, authenticate: access.authenticate });
  // A write may change who someone is (deactivated, promoted, moved): forget what was looked up, before
  // the answer is sent, so the caller's next request already sees it. Only a write that happened (2xx):
  // a refused or anonymous request must not be a way to make every caller's lookup hit the database.
  app.addHook('onSend', (request, reply, payload, done) => {
    const wrote = request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 300;
    if (wrote) access.forgetPeople();
    done(null, payload);
  });
  locationRoutes(app, db);
  roleRoutes(app, db);
  userRoutes(app, db, opts.shifts);
  availabilityRoutes(app, db);
  timeOffRoutes(app, db);
  return app;
}
