// Builds the shifts app on a fresh database of the given kind, with a users client pointed at `usersUrl`
// (in these tests, a real users service process on loopback: see test/support/service-process.ts). Tokens
// come from the project's development issuer; requests act as the first admin unless they send their own
// Authorization header. Given `listenPort`, the app also listens there, so users can call it back.
// The context is the one runService would give shiftsService (createTestContext).
import { ownCredentials, type Database, type ServiceInstance } from '@shiftstack/service-kit';
import { createTestContext, type DatabaseKind } from '@shiftstack/service-kit/testing';
import { actingAs, authEnv, bearer, TEST_ADMIN } from '../../../test/support/auth';
import { buildShiftsApp } from '../src/app';
import type { ShiftsDatabase } from '../src/db';
import { shiftsService } from '../src/service';
import { createUsersClient, type UsersClientOptions } from '../src/users-client';

export async function buildTestShiftsApp(
  kind: DatabaseKind,
  usersUrl: string,
  client: Partial<UsersClientOptions> = {},
  opts: {
    listenPort?: number;
    /** Deliver notifications here (quickly: every 100 ms). */
    notifyUrl?: string;
    /** This database instead of a fresh one (to start the service again on the same data). */
    database?: Database<ShiftsDatabase>;
  } = {},
) {
  const context = await createTestContext(
    shiftsService,
    kind,
    {
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: '0',
      USERS_URL: usersUrl,
      ...(await authEnv('shifts')),
    },
    { database: opts.database },
  );
  const { config, env, database, metrics, logger } = context;
  // As the spec builds it, with the test's timeouts and breaker settings on top.
  const users = createUsersClient({
    baseUrl: env.USERS_URL,
    timeoutMs: 1000,
    metrics,
    logger,
    credentials: ownCredentials(config.auth, env, { resource: 'urn:shiftstack:users', scope: 'users:read' }),
    ...client,
  });
  const notifications = opts.notifyUrl ? { url: opts.notifyUrl, intervalMs: 100 } : undefined;
  const app: ServiceInstance = await buildShiftsApp({ ...context, users, notifications });
  await app.ready();
  if (opts.listenPort) await app.listen({ port: opts.listenPort, host: '127.0.0.1' });
  actingAs(app, await bearer(TEST_ADMIN), true);
  return {
    app,
    database,
    metrics,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
