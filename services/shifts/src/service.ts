import { ServiceClientEnv, ownCredentials, type ServiceSpec } from '@shiftstack/service-kit';
import { Type } from 'typebox';
import { migrations } from '../migrations';
import { buildShiftsApp } from './app';
import type { ShiftsDatabase } from './db';
import { createUsersClient } from './users-client';

const ShiftsEnv = Type.Object({
  USERS_URL: Type.String({
    pattern: '^https?://',
    description: 'Base URL of the users service, e.g. http://users:8080',
  }),
  USERS_TIMEOUT_MS: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000 })),
  USERS_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  ...ServiceClientEnv,
  NOTIFY_WEBHOOK_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description:
        'Where to post notifications (a publish, a change to a published shift), one per person; unset: kept, not sent',
    }),
  ),
  NOTIFY_WEBHOOK_SECRET: Type.Optional(
    Type.String({
      minLength: 16,
      description: 'Signs each post: X-Shiftstack-Signature: sha256=<HMAC of the body>',
    }),
  ),
});

export const shiftsService: ServiceSpec<typeof ShiftsEnv, ShiftsDatabase> = {
  name: 'shifts',
  version: '0.1.0',
  env: ShiftsEnv,
  migrations,
  extensions: ['btree_gist'],
  build: ({ config, env, database, metrics, readiness, logger }) =>
    buildShiftsApp({
      config,
      database,
      metrics,
      readiness,
      logger,
      notifications: env.NOTIFY_WEBHOOK_URL
        ? { url: env.NOTIFY_WEBHOOK_URL, secret: env.NOTIFY_WEBHOOK_SECRET }
        : undefined,
      users: createUsersClient({
        baseUrl: env.USERS_URL,
        timeoutMs: env.USERS_TIMEOUT_MS ?? 2000,
        metrics,
        logger,
        credentials: ownCredentials(config.auth, env, {
          resource: env.USERS_AUDIENCE ?? 'urn:shiftstack:users',
          scope: 'users:read',
        }),
      }),
    }),
};
