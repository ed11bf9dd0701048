// Builds the users app on a fresh database of the given kind, for inject() tests without a port.
import {
  createMetrics,
  loadConfig,
  Readiness,
  type Database,
  type ServiceInstance,
} from '@shiftstack/service-kit';
import { createTestDatabase, silentLogger, type DatabaseKind } from '@shiftstack/service-kit/testing';
import { migrations } from '../migrations';
import { buildUsersApp } from '../src/app';
import type { UsersDatabase } from '../src/db';

export interface BuildOptions {
  /** Use this database instead of a fresh migrated one (e.g. one that cannot be reached). */
  database?: Database<UsersDatabase>;
  /** Register extra routes (e.g. one that fails) before the app is made ready. */
  extend?: (app: ServiceInstance, database: Database<UsersDatabase>) => void;
}

export async function buildTestUsersApp(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  opts: BuildOptions = {},
) {
  const { base: config } = loadConfig('users', { RATE_LIMIT_PER_MINUTE: '0', ...env });
  const database =
    opts.database ??
    (await createTestDatabase<UsersDatabase>(kind, 'users', migrations, ['pg_trgm'])).database;
  const readiness = new Readiness();
  readiness.migrated = true;
  readiness.add({ name: 'database', check: () => database.ping(1500) });
  const metrics = createMetrics('users', { defaultMetrics: false });
  const app: ServiceInstance = await buildUsersApp({
    config,
    database,
    metrics,
    readiness,
    logger: silentLogger,
  });
  opts.extend?.(app, database);
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
