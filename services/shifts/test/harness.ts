// Builds the shifts app on a fresh database of the given kind, with a users client pointed at `usersUrl`
// (in these tests, a real users service process on loopback: see test/support/service-process.ts). Tokens
// come from the project's development issuer; requests act as the first admin unless they send their own
// Authorization header. Given `listenPort`, the app also listens there, so users can call it back.
import {
  clientCredentials,
  createMetrics,
  loadConfig,
  Readiness,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import { createTestDatabase, silentLogger, type DatabaseKind } from '@shiftstack/service-kit/testing';
import { actingAs, authEnv, bearer, TEST_ADMIN } from '../../../test/support/auth';
import { migrations } from '../migrations';
import { buildShiftsApp } from '../src/app';
import type { ShiftsDatabase } from '../src/db';
import { createUsersClient, type UsersClientOptions } from '../src/users-client';

export async function buildTestShiftsApp(
  kind: DatabaseKind,
  usersUrl: string,
  client: Partial<UsersClientOptions> = {},
  opts: { listenPort?: number } = {},
) {
  const env = await authEnv('shifts');
  const { base: config } = loadConfig('shifts', {
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: '0',
    ...env,
  });
  const { database } = await createTestDatabase<ShiftsDatabase>(kind, 'shifts', migrations, ['btree_gist']);
  const readiness = new Readiness();
  readiness.migrated = true;
  const metrics = createMetrics('shifts', { defaultMetrics: false });
  const users = createUsersClient({
    baseUrl: usersUrl,
    timeoutMs: 1000,
    metrics,
    logger: silentLogger,
    credentials: clientCredentials({
      issuer: env.AUTH_ISSUER!,
      clientId: env.AUTH_CLIENT_ID!,
      clientSecret: env.AUTH_CLIENT_SECRET!,
      resource: 'urn:shiftstack:users',
      scope: 'users:read',
    }),
    ...client,
  });
  const app: ServiceInstance = await buildShiftsApp({
    config,
    database,
    metrics,
    readiness,
    logger: silentLogger,
    users,
  });
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
