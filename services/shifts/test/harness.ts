// Builds the shifts app on a fresh database of the given kind, with a users client pointed at `usersUrl`
// (in these tests, a real users service process on loopback: see test/support/service-process.ts).
import { createMetrics, loadConfig, Readiness, type ServiceInstance } from '@shiftstack/service-kit';
import { createTestDatabase, silentLogger, type DatabaseKind } from '@shiftstack/service-kit/testing';
import { migrations } from '../migrations';
import { buildShiftsApp } from '../src/app';
import type { ShiftsDatabase } from '../src/db';
import { createUsersClient, type UsersClientOptions } from '../src/users-client';

export async function buildTestShiftsApp(
  kind: DatabaseKind,
  usersUrl: string,
  client: Partial<UsersClientOptions> = {},
) {
  const { base: config } = loadConfig('shifts', { RATE_LIMIT_PER_MINUTE: '0' });
  const { database } = await createTestDatabase<ShiftsDatabase>(kind, 'shifts', migrations, ['btree_gist']);
  const readiness = new Readiness();
  readiness.migrated = true;
  const metrics = createMetrics('shifts', { defaultMetrics: false });
  const users = createUsersClient({
    baseUrl: usersUrl,
    timeoutMs: 1000,
    metrics,
    logger: silentLogger,
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
