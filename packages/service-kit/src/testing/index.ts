// Test helpers: every service suite runs against PGlite AND a real PostgreSQL server (started once per
// run by test/support/postgres-global-setup.ts). PGlite suites start from a dump of an already-migrated
// database (about 0.6 s) instead of migrating a new one (about 4 s).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { Migration } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import type { TObject } from 'typebox';
import { describe, inject } from 'vitest';
import { DEFAULT_MIGRATION_TIMEOUT_MS, type BaseConfig } from '../config';
import { openDatabase, openPGlite, type Database, type Extension } from '../db/database';
import type { ServiceInstance } from '../http/server';
import { readinessOn, specConfig, type ServiceSpec } from '../lifecycle';
import { createMetrics } from '../metrics';

export type DatabaseKind = 'pglite' | 'postgres';

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/**
 * The back end this project's suites run on: `DB_KINDS` in the vitest project's env (`pglite` in the fast
 * tier, `postgres` in the full one; see vitest.config.ts). Unset, a file run on its own uses both.
 */
export function databaseKinds(): DatabaseKind[] {
  const wanted = (process.env.DB_KINDS ?? 'pglite,postgres').split(',').map((kind) => kind.trim());
  return (['pglite', 'postgres'] as const).filter((kind) => wanted.includes(kind));
}

/**
 * Whether the test PostgreSQL server is up. Locally a missing server skips with the reason; under
 * REQUIRE_SYSTEM_DEPS=1 (CI) it is an error, so a green run always ran on the real thing.
 */
export function postgresAvailable(): boolean {
  if (process.env.TEST_TIER === 'fast')
    throw new Error(
      'PostgreSQL is not Node.js: this test belongs in the full suite (npm run test:all), not npm test',
    );
  if (inject('postgresUrl')) return true;
  const why = inject('postgresMissing') || 'no PostgreSQL server was started';
  if (process.env.REQUIRE_SYSTEM_DEPS === '1')
    throw new Error(`PostgreSQL is required (REQUIRE_SYSTEM_DEPS=1): ${why}`);
  console.warn(`skipping the PostgreSQL suites: ${why}`);
  return false;
}

/**
 * `describe.each` over this project's databases (`databaseKinds`); a PostgreSQL suite skips, with the
 * reason, where no server is up. vitest.config.ts runs a file that calls it once per tier.
 */
export function describeOnDatabases(title: string, suite: (kind: DatabaseKind) => void): void {
  const kinds = databaseKinds();
  describe.skipIf(kinds.includes('postgres') && !postgresAvailable()).each(kinds)(title, suite);
}

export function postgresServerUrl(): string {
  const url = inject('postgresUrl');
  if (!url) throw new Error(`PostgreSQL is not available: ${inject('postgresMissing')}`);
  return url;
}

/** Creates an empty database on the test PostgreSQL server and returns its URL. */
export async function createPostgresDatabase(prefix: string): Promise<string> {
  const serverUrl = postgresServerUrl();
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function pgliteTemplate(
  service: string,
  migrations: Record<string, Migration>,
  extensions: Extension[],
) {
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify({
        service,
        extensions,
        migrations: Object.entries(migrations).map(([k, m]) => [k, m.up.toString()]),
      }),
    )
    .digest('hex')
    .slice(0, 16);
  const file = join(tmpdir(), `shiftstack-pglite-${service}-${fingerprint}.tar.gz`);
  if (!existsSync(file)) {
    const migrated = await openPGliteAndMigrate(migrations, extensions, service);
    const blob = await migrated.dumpDataDir('gzip');
    await migrated.close();
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, file); // atomic: parallel workers never read half a file
  }
  return new Blob([readFileSync(file)]);
}

async function openPGliteAndMigrate(
  migrations: Record<string, Migration>,
  extensions: Extension[],
  service: string,
) {
  const pglite = await openPGlite('memory://', extensions);
  const { Kysely, Migrator } = await import('kysely');
  const { PGliteDialect } = await import('../db/pglite-dialect');
  const db = new Kysely({ dialect: new PGliteDialect(pglite) });
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  }).migrateToLatest();
  if (error) throw new Error(`${service} migrations failed in the PGlite template`, { cause: error });
  return pglite;
}

export interface TestDatabase<DB> {
  database: Database<DB>;
  config: BaseConfig['database'];
  kind: DatabaseKind;
}

/** A fresh, migrated database of the given kind. Close it with `database.close()`. */
export async function createTestDatabase<DB>(
  kind: DatabaseKind,
  service: string,
  migrations: Record<string, Migration>,
  extensions: Extension[] = [],
): Promise<TestDatabase<DB>> {
  if (kind === 'pglite') {
    const config = { kind: 'pglite' as const, dataDir: 'memory://', statementTimeoutMs: 5000 };
    const database = await openDatabase<DB>({
      config,
      serviceName: service,
      logger: silentLogger,
      extensions,
      pgliteTemplate: await pgliteTemplate(service, migrations, extensions),
    });
    return { database, config, kind };
  }
  const config = {
    kind: 'postgres' as const,
    url: await createPostgresDatabase(service),
    poolMax: 10,
    statementTimeoutMs: 5000,
    queryTimeoutMs: 6000,
    connectTimeoutMs: 3000,
    migrationTimeoutMs: DEFAULT_MIGRATION_TIMEOUT_MS,
  };
  const database = await openDatabase<DB>({ config, serviceName: service, logger: silentLogger, extensions });
  await database.migrate(migrations);
  return { database, config, kind };
}

/**
 * What runService gives a spec's `build`, on a fresh test database instead of a configured one: the
 * spec's config validated the same way, readiness that checks the database, the spec's afterMigrations
 * run (unless `database` is one the test made itself). Tests then build the app from it with their own
 * stand-ins for the other service.
 */
export async function createTestContext<E extends TObject, DB>(
  spec: ServiceSpec<E, DB>,
  kind: DatabaseKind,
  env: NodeJS.ProcessEnv,
  opts: { database?: Database<DB> } = {},
) {
  const { config, env: serviceEnv } = specConfig(spec, env);
  const database =
    opts.database ??
    (await createTestDatabase<DB>(kind, spec.name, spec.migrations, spec.extensions)).database;
  const readiness = readinessOn(database);
  readiness.migrated = true;
  const metrics = createMetrics(spec.name, { defaultMetrics: false });
  const context = { config, env: serviceEnv, database, metrics, readiness, logger: silentLogger };
  if (!opts.database) await spec.afterMigrations?.(context);
  return context;
}

/** A Fastify instance with none of the chassis, to test one of its parts alone. */
export function bareApp(): ServiceInstance {
  return Fastify({
    loggerInstance: silentLogger,
  }).withTypeProvider<TypeBoxTypeProvider>();
}
