// One database handle for both back ends: a `pg` pool when PostgreSQL is configured, PGlite (embedded,
// file-backed or in memory) when not. Callers see Kysely either way.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Extensions, PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, sql, type LogEvent, type Migration } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { BaseConfig } from '../config';
import type { Metrics } from '../metrics';
import { pooledConnections } from './connections';
import { PGliteDialect } from './pglite-dialect';
import { TIMESTAMPTZ_OID, isoTimestamp } from './timestamps';

/** Contrib extensions the services use; both PostgreSQL 15 (contrib) and PGlite ship them. */
export type Extension = 'btree_gist' | 'pg_trgm';

export interface Database<DB> {
  readonly db: Kysely<DB>;
  readonly kind: 'postgres' | 'pglite';
  /** Cheap reachability check with a deadline; throws when the database cannot answer. */
  ping(timeoutMs?: number): Promise<void>;
  poolStats(): { total: number; idle: number; waiting: number; max: number };
  migrate(migrations: Record<string, ServiceMigration>): Promise<string[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  config: BaseConfig['database'];
  serviceName: string;
  logger: Logger;
  metrics?: Metrics;
  extensions?: Extension[];
  /** PGlite only: start from a dumped data dir (tests use a migrated template). */
  pgliteTemplate?: Blob;
}

/** How column values are read, the same on PostgreSQL and PGlite. */
const PARSERS: Record<number, (text: string) => unknown> = {
  // DATE stays a 'YYYY-MM-DD' string (the default turns it into a local-midnight Date, shifting the day).
  1082: (v) => v,
  // int8 (counts) as numbers: our counts and ids stay far below 2^53.
  20: (v) => Number(v),
  // timestamptz as the API's ISO text, never a Date (timestamps.ts).
  [TIMESTAMPTZ_OID]: isoTimestamp,
};
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text') =>
    PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

async function loadExtensions(names: Extension[]) {
  const loaders: Record<Extension, () => Promise<unknown>> = {
    btree_gist: async () => (await import('@electric-sql/pglite/contrib/btree_gist')).btree_gist,
    pg_trgm: async () => (await import('@electric-sql/pglite/contrib/pg_trgm')).pg_trgm,
  };
  const entries = await Promise.all(names.map(async (n) => [n, await loaders[n]()] as const));
  return Object.fromEntries(entries) as Extensions;
}

export async function openPGlite(dataDir: string, extensions: Extension[], template?: Blob): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const inMemory = dataDir === 'memory://' || dataDir === '';
  if (!inMemory) mkdirSync(dirname(resolve(dataDir)), { recursive: true });
  return PGlite.create(inMemory ? undefined : resolve(dataDir), {
    extensions: await loadExtensions(extensions),
    parsers: PARSERS,
    ...(template ? { loadDataDir: template } : {}),
  }).then(async (db) => {
    await db.exec(`set time zone 'UTC'`); // timestamps read as UTC text (timestamps.ts)
    return db;
  });
}

function queryLogger(logger: Logger, metrics?: Metrics) {
  return (event: LogEvent) => {
    const seconds = event.queryDurationMillis / 1000;
    if (event.level === 'error') {
      metrics?.dbQueryDuration.observe({ outcome: 'error' }, seconds);
      logger.debug({ err: event.error, durationMs: event.queryDurationMillis }, 'query failed');
    } else {
      metrics?.dbQueryDuration.observe({ outcome: 'ok' }, seconds);
    }
  };
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })),
      ms,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A migration runs in its own transaction unless it says `transaction: false`: some statements refuse to
 * run inside one (`CREATE INDEX CONCURRENTLY`, `ALTER TYPE ... ADD VALUE` before PostgreSQL 12), and one
 * transaction around the whole run would make such a migration fail on every start.
 */
export type ServiceMigration = Migration & { transaction?: boolean };

function inItsOwnTransaction(migration: ServiceMigration): Migration {
  if (migration.transaction === false) return migration;
  return {
    up: (db) => db.transaction().execute((trx) => migration.up(trx)),
    ...(migration.down ? { down: (db) => db.transaction().execute((trx) => migration.down!(trx)) } : {}),
  };
}

function migrator<DB>(db: Kysely<DB>, migrations: Record<string, ServiceMigration>) {
  // Kysely's Migrator takes a PostgreSQL session-level advisory lock around the run, so replicas starting
  // together migrate once: the first applies, the others wait, then find nothing left to do. Transactions
  // are per migration (above), not around the run.
  const wrapped = Object.fromEntries(
    Object.entries(migrations).map(([name, m]) => [name, inItsOwnTransaction(m)]),
  );
  return new Migrator({ db, provider: { getMigrations: async () => wrapped }, disableTransactions: true });
}

/** Thrown when a migration statement ran past DB_MIGRATION_TIMEOUT_MS: retrying would only repeat it. */
export class MigrationTimeoutError extends Error {}

const timedOut = (err: unknown) => {
  const e = err as { code?: string; message?: string } | undefined;
  return e?.code === '57014' || /Query read timeout/i.test(e?.message ?? '');
};

async function runMigrations<DB>(
  db: Kysely<DB>,
  migrations: Record<string, ServiceMigration>,
  logger: Logger,
  timeoutMs?: number,
) {
  const { error, results } = await migrator(db, migrations).migrateToLatest();
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '(unknown)';
    if (timeoutMs !== undefined && timedOut(error))
      throw new MigrationTimeoutError(
        `migration ${failed} ran past DB_MIGRATION_TIMEOUT_MS (${timeoutMs} ms) and was cancelled; ` +
          'raise it, or move the long work out of start-up (docs/operations.md)',
        { cause: error },
      );
    throw new Error(`migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  return applied;
}

export async function openDatabase<DB>(opts: DatabaseOptions): Promise<Database<DB>> {
  const { config, logger, metrics } = opts;
  const log = queryLogger(logger, metrics);
  if (config.kind === 'pglite') {
    const pglite = await openPGlite(config.dataDir, opts.extensions ?? [], opts.pgliteTemplate);
    const dialect = new PGliteDialect(pglite);
    const db = new Kysely<DB>({ dialect, log });
    return {
      db,
      kind: 'pglite',
      async ping(timeoutMs = 2000) {
        await withDeadline(sql`select 1`.execute(db), timeoutMs, 'database ping');
      },
      poolStats: () => ({ total: 1, idle: dialect.driver.busy ? 0 : 1, waiting: 0, max: 1 }),
      migrate: (migrations) => runMigrations(db, migrations, logger),
      close: () => db.destroy(),
    };
  }
  const pool = openPool(config, opts.serviceName, logger, {
    max: config.poolMax,
    statementTimeoutMs: config.statementTimeoutMs,
    queryTimeoutMs: config.queryTimeoutMs,
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pooledConnections(pool) }), log });
  return {
    db,
    kind: 'postgres',
    async ping(timeoutMs = 2000) {
      await withDeadline(pool.query('select 1'), timeoutMs, 'database ping');
    },
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: config.poolMax,
    }),
    migrate: (migrations) => migrateOnOwnConnection(config, opts.serviceName, migrations, logger),
    close: () => db.destroy(),
  };
}

/**
 * Migrations on a connection of their own, with their own time limit: a request's statement timeout (5 s)
 * would cancel an index build on a large table, and retrying it would loop forever while the pod looks
 * alive. The client-side limit stays just above the server's, as for the pool.
 */
async function migrateOnOwnConnection(
  config: PostgresConfig,
  serviceName: string,
  migrations: Record<string, ServiceMigration>,
  logger: Logger,
): Promise<string[]> {
  const timeoutMs = config.migrationTimeoutMs;
  const pool = openPool(config, `${serviceName}-migrations`, logger, {
    max: 1,
    statementTimeoutMs: timeoutMs,
    queryTimeoutMs: timeoutMs + 5000,
  });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await runMigrations(db, migrations, logger, timeoutMs);
  } finally {
    await db.destroy();
  }
}

type PostgresConfig = Extract<BaseConfig['database'], { kind: 'postgres' }>;

/** A `pg` pool to the configured server, with its size and time limits, that survives lost connections. */
function openPool(
  config: PostgresConfig,
  applicationName: string,
  logger: Logger,
  limits: { max: number; statementTimeoutMs: number; queryTimeoutMs: number },
): pg.Pool {
  const pool = new pg.Pool({
    ...(config.url ? { connectionString: config.url } : {}), // else libpq PG* variables
    max: limits.max,
    connectionTimeoutMillis: config.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Server side: PostgreSQL cancels a slow statement and the connection stays usable.
    statement_timeout: limits.statementTimeoutMs,
    // Client side: a frozen or unreachable server never answers at all; give up a little after the server
    // would have, so a stall costs a request at most this long instead of its whole duration.
    query_timeout: limits.queryTimeoutMs,
    // Finds a peer that vanished without a FIN (a node lost, a network partition) between queries.
    keepAlive: true,
    application_name: applicationName,
    // Timestamps are read as UTC text and turned into the API's ISO form without a Date (timestamps.ts).
    options: '-c TimeZone=UTC',
    types: pgTypes,
  });
  // A connection can die at any moment: PostgreSQL restarting, a failover, pg_terminate_backend. An idle
  // client reports it on the pool; a checked-out one emits 'error' on itself, and an 'error' event with no
  // listener kills the process. The query in flight fails on its own (and answers 503); pg-pool drops the
  // broken client on release because it is no longer queryable.
  pool.on('error', (err) => logger.warn({ err }, 'idle database connection lost'));
  pool.on('connect', (client) => {
    client.on('error', (err) => logger.warn({ err }, 'database connection lost'));
  });
  return pool;
}
