// Migrations in order. Listed statically (not read from disk) so the bundled service carries them.
import { idempotencyMigration } from '@shiftstack/service-kit';
import type { Migration } from 'kysely';
import * as initial from './0001_initial';
import * as locationVersions from './0003_location_versions';
import * as locationWorkRules from './0004_location_work_rules';
import * as availabilityTimeOff from './0005_availability_time_off';
import * as identities from './0006_identities';

export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_idempotency_keys': idempotencyMigration,
  '0003_location_versions': locationVersions,
  '0004_location_work_rules': locationWorkRules,
  '0005_availability_time_off': availabilityTimeOff,
  '0006_identities': identities,
};
