// Builds the users app on a fresh database of the given kind, for inject() tests without a port.
import { createMetrics, loadConfig, Readiness, type ServiceInstance } from '@shiftstack/service-kit';
import { createTestDatabase, silentLogger, type DatabaseKind } from '@shiftstack/service-kit/testing';
import { migrations } from '../migrations';
import { buildUsersApp } from '../src/app';
import type { UsersDatabase } from '../src/db';

export async function buildTestUsersApp(kind: DatabaseKind, env: Record<string, string> = {}) {
  const { base: config } = loadConfig('users', { RATE_LIMIT_PER_MINUTE: '0', ...env });
  const { database } = await createTestDatabase<UsersDatabase>(kind, 'users', migrations, ['pg_trgm']);
  const readiness = new Readiness();
  readiness.migrated = true;
  readiness.add({ name: 'database', check: () => database.ping(1500) });
  const metrics = createMetrics('users', { defaultMetrics: false });
  const app: ServiceInstance = await buildUsersApp({ config, database, metrics, readiness, logger: silentLogger });
  await app.ready();
  return {
    app,
    database,
    metrics,
    readiness,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
