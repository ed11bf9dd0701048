import { ServiceClientEnv, ownCredentials, type ServiceSpec } from '@shiftstack/service-kit';
import { Type } from 'typebox';
import { migrations } from '../migrations';
import { ensureBootstrapAdmin } from './access';
import { buildUsersApp } from './app';
import type { UsersDatabase } from './db';
import { createShiftsClient } from './shifts-client';

const UsersEnv = Type.Object({
  SHIFTS_URL: Type.String({
    pattern: '^https?://',
    description: "Base URL of the shifts service, e.g. http://shifts:8080 (to open a leaver's future shifts)",
  }),
  SHIFTS_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000 })),
  SHIFTS_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  ...ServiceClientEnv,
  BOOTSTRAP_ADMIN_EMAIL: Type.Optional(
    Type.String({ format: 'email', description: 'The first admin, created if nobody has this email' }),
  ),
});

export const usersService: ServiceSpec<typeof UsersEnv, UsersDatabase> = {
  name: 'users',
  version: '0.1.0',
  env: UsersEnv,
  migrations,
  extensions: ['pg_trgm'],
  afterMigrations: ({ database, env }) => ensureBootstrapAdmin(database.db, env.BOOTSTRAP_ADMIN_EMAIL),
  build: ({ config, env, database, metrics, readiness, logger }) =>
    buildUsersApp({
      config,
      database,
      metrics,
      readiness,
      logger,
      shifts: createShiftsClient({
        baseUrl: env.SHIFTS_URL,
        timeoutMs: env.SHIFTS_TIMEOUT_MS ?? 2000,
        metrics,
        logger,
        credentials: ownCredentials(config.auth, env, {
          resource: env.SHIFTS_AUDIENCE ?? 'urn:shiftstack:shifts',
          scope: 'shifts:unassign',
        }),
      }),
    }),
};
