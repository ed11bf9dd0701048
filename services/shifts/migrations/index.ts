// Migrations in order. Listed statically (not read from disk) so the bundled service carries them.
import { idempotencyMigration } from '@shiftstack/service-kit';
import type { Migration } from 'kysely';
import * as initial from './0001_initial';
import * as outbox from './0003_outbox';

export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_idempotency_keys': idempotencyMigration,
  '0003_outbox': outbox,
};
