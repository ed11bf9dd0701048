import type { ServiceSpec } from '@shiftstack/service-kit';
import type { Type } from 'typebox';
import { migrations } from '../migrations';
import { buildUsersApp } from './app';
import type { UsersDatabase } from './db';

export const usersService: ServiceSpec<ReturnType<typeof Type.Object>, UsersDatabase> = {
  name: 'users',
  version: '0.1.0',
  migrations,
  extensions: ['pg_trgm'],
  build: ({ config, database, metrics, readiness, logger }) =>
    buildUsersApp({ config, database, metrics, readiness, logger }),
};
