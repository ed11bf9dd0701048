// The shifts service as a plugin-style function: the chassis builds the server, this adds the routes.
// Tests build it with buildShiftsApp() and call app.inject() without a port.
import {
  createServer,
  type Database,
  type ServerOptions,
  type ServiceInstance,
  type TokenVerifier,
} from '@shiftstack/service-kit';
import { shiftsAuthentication } from './access';
import { copyRoutes } from './copy/routes';
import { startDelivery, type DeliveryOptions } from './notifications/outbox';
import type { ShiftsDatabase } from './db';
import { publishRoutes } from './publish/routes';
import { shiftRoutes } from './shifts/routes';
import { warningRoutes } from './warnings/routes';
import type { UsersClient } from './users-client';

export const SHIFTS_OPENAPI = {
  title: 'shiftstack shifts API',
  version: '0.1.0',
  description:
    'Shifts: who works where and when, drafts and published schedules. Names come from the users service.',
};

export interface ShiftsAppOptions extends Omit<ServerOptions, 'openapi'> {
  database: Database<ShiftsDatabase>;
  users: UsersClient;
  /** Where notifications go; without it they are kept in the outbox, undelivered. */
  notifications?: Omit<DeliveryOptions, 'db' | 'logger'>;
  /** Tests may verify tokens their own way; by default the issuer's discovered key set. */
  verifier?: TokenVerifier;
}

export async function buildShiftsApp(opts: ShiftsAppOptions): Promise<ServiceInstance> {
  const app = await createServer({
    ...opts,
    openapi: SHIFTS_OPENAPI,
    authenticate: shiftsAuthentication(opts.config.auth, opts.users, opts.verifier),
  });
  const db = opts.database.db;
  // publish, copy and warnings first: their static paths must not be shadowed by /api/v1/shifts/:id in the docs order
  publishRoutes(app, db, opts.users);
  copyRoutes(app, db, opts.users);
  warningRoutes(app, db, opts.users);
  shiftRoutes(app, db, opts.users);
  if (opts.notifications) {
    const delivery = startDelivery({ ...opts.notifications, db, logger: app.log });
    app.addHook('onClose', () => delivery.stop());
  }
  return app;
}
