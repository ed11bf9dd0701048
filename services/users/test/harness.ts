// Builds the users app on a fresh database of the given kind, for inject() tests without a port, from
// the context runService would give usersService (createTestContext), with a stand-in for shifts. Tokens
// come from the project's development issuer (test/support/auth.ts); requests act as the first admin
// unless they send their own Authorization header (or `anonymous()` strips it).
import type { Database, ServiceInstance, TokenVerifier } from '@shiftstack/service-kit';
import { createTestContext, type DatabaseKind } from '@shiftstack/service-kit/testing';
import { actingAs, authEnv, bearer, TEST_ADMIN } from '../../../test/support/auth';
import { buildUsersApp } from '../src/app';
import type { UsersDatabase } from '../src/db';
import { usersService } from '../src/service';
import type { ShiftsClient } from '../src/shifts-client';

export interface BuildOptions {
  /** Use this database instead of a fresh migrated one (e.g. one that cannot be reached). */
  database?: Database<UsersDatabase>;
  /** Register extra routes (e.g. one that fails) before the app is made ready. */
  extend?: (app: ServiceInstance, database: Database<UsersDatabase>) => void;
  /** Stands in for the shifts service here (the cross-service tests run the real one). */
  shifts?: ShiftsClient;
  /** Verify tokens this way instead of with the issuer's discovered key set. */
  verifier?: TokenVerifier;
}

export async function buildTestUsersApp(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  opts: BuildOptions = {},
) {
  const context = await createTestContext(
    usersService,
    kind,
    {
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_PER_PRINCIPAL_PER_MINUTE: '0',
      SHIFTS_URL: 'http://shifts.invalid', // stood in for below
      BOOTSTRAP_ADMIN_EMAIL: TEST_ADMIN,
      ...(await authEnv('users')),
      ...env,
    },
    { database: opts.database },
  );
  const { database, metrics, readiness } = context;
  const opened: number[] = [];
  const shifts: ShiftsClient = opts.shifts ?? {
    async openFutureShifts(userId) {
      opened.push(userId);
      return [];
    },
  };
  const app: ServiceInstance = await buildUsersApp({ ...context, shifts, verifier: opts.verifier });
  opts.extend?.(app, database);
  await app.ready();
  actingAs(app, await bearer(TEST_ADMIN));
  return {
    app,
    database,
    metrics,
    readiness,
    /** Whose future shifts users asked shifts to open. */
    opened,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
