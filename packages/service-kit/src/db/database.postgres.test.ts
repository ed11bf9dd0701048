// The database layer on a real PostgreSQL server: migrations run concurrently by many replicas apply once
// (the advisory lock), each in its own transaction and time limit, and prepared statements survive a
// migration under a running pod. Full tier only (vitest.config.ts): it needs the test server.
import { sql, type Generated, type Kysely } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, postgresAvailable, silentLogger } from '../testing';
import { MigrationTimeoutError, openDatabase, type Database, type ServiceMigration } from './database';
import { migrations } from './things-migrations';

const onPostgres = describe.skipIf(!postgresAvailable());

onPostgres('migrations under the advisory lock (PostgreSQL)', () => {
  it(
    'ten replicas migrating one fresh database at once all succeed, and each migration is recorded once',
    { timeout: 60_000 },
    async () => {
      const url = await createPostgresDatabase('migrate_race');
      const replicas: Array<Database<unknown>> = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          openDatabase<unknown>({
            config: {
              kind: 'postgres',
              url,
              poolMax: 2,
              statementTimeoutMs: 30_000,
              queryTimeoutMs: 31_000,
              connectTimeoutMs: 3000,
              migrationTimeoutMs: 30_000,
            },
            serviceName: `replica${i}`,
            logger: silentLogger,
          }),
        ),
      );
      try {
        const results = await Promise.allSettled(replicas.map((r) => r.migrate(migrations)));
        for (const r of results)
          expect(r.status, r.status === 'rejected' ? String((r.reason as Error).message) : '').toBe(
            'fulfilled',
          );
        const applied = results.map((r) => (r as PromiseFulfilledResult<string[]>).value);
        // Exactly one replica applied all three; the others found nothing to do.
        expect(applied.filter((a) => a.length > 0)).toEqual([['0001_things', '0002_more', '0003_index']]);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const recorded = await client.query<{ name: string; n: number }>(
            'select name, count(*)::int as n from kysely_migration group by name order by name',
          );
          expect(recorded.rows).toEqual([
            { name: '0001_things', n: 1 },
            { name: '0002_more', n: 1 },
            { name: '0003_index', n: 1 },
          ]);
          await client.query("insert into things (name, size) values ('ok', 1)");
        } finally {
          await client.end();
        }
        // Running again later changes nothing.
        expect(await replicas[0]!.migrate(migrations)).toEqual([]);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    },
  );
});

onPostgres('migrations, each in its own transaction and time limit (PostgreSQL)', () => {
  const open = (url: string, migrationTimeoutMs: number) =>
    openDatabase<unknown>({
      config: {
        kind: 'postgres',
        url,
        poolMax: 2,
        // A request's limits: far shorter than what a migration may need.
        statementTimeoutMs: 200,
        queryTimeoutMs: 1200,
        connectTimeoutMs: 3000,
        migrationTimeoutMs,
      },
      serviceName: 'migrations',
      logger: silentLogger,
    });

  it('runs a migration that refuses a transaction (CREATE INDEX CONCURRENTLY) and one longer than a request may take', async () => {
    const database = await open(await createPostgresDatabase('migrate_concurrently'), 10_000);
    const steps: Record<string, ServiceMigration> = {
      '0001_table': {
        async up(db) {
          await sql`create table items (id integer primary key, name text not null)`.execute(db);
          await sql`select pg_sleep(0.5)`.execute(db); // past the 200 ms statement timeout of requests
        },
      },
      '0002_index': {
        transaction: false,
        async up(db) {
          await sql`create index concurrently items_name on items (name)`.execute(db);
        },
      },
    };
    try {
      expect(await database.migrate(steps)).toEqual(['0001_table', '0002_index']);
      const { rows } = await sql<{
        indexname: string;
      }>`select indexname from pg_indexes where tablename = 'items'`.execute(database.db);
      expect(rows.map((r) => r.indexname)).toContain('items_name');
    } finally {
      await database.close();
    }
  });

  it('a failed migration leaves nothing half-done: its own transaction rolls back', async () => {
    const database = await open(await createPostgresDatabase('migrate_rollback'), 10_000);
    const broken: Record<string, ServiceMigration> = {
      '0001_half': {
        async up(db) {
          await sql`create table half (id integer)`.execute(db);
          await sql`select no_such_function()`.execute(db);
        },
      },
    };
    try {
      await expect(database.migrate(broken)).rejects.toThrow(/migration 0001_half failed/);
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_tables where tablename = 'half'`.execute(database.db);
      expect(rows[0]!.n).toBe(0);
    } finally {
      await database.close();
    }
  });

  it('a migration past DB_MIGRATION_TIMEOUT_MS is cancelled with an error that names the setting', async () => {
    const database = await open(await createPostgresDatabase('migrate_timeout'), 1000);
    const slow: Record<string, ServiceMigration> = {
      '0001_slow': {
        async up(db) {
          await sql`select pg_sleep(3)`.execute(db);
        },
      },
    };
    try {
      const error = await database.migrate(slow).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationTimeoutError);
      expect((error as Error).message).toMatch(/0001_slow ran past DB_MIGRATION_TIMEOUT_MS \(1000 ms\)/);
    } finally {
      await database.close();
    }
  });
});

onPostgres('prepared statements (PostgreSQL)', () => {
  interface Things {
    things: { id: Generated<number>; name: string };
  }
  const open = (url: string) =>
    openDatabase<Things>({
      config: {
        kind: 'postgres',
        url,
        poolMax: 1, // one connection, so pg_prepared_statements shows what this pool prepared
        statementTimeoutMs: 5000,
        queryTimeoutMs: 6000,
        connectTimeoutMs: 3000,
        migrationTimeoutMs: 30_000,
      },
      serviceName: 'prepared',
      logger: silentLogger,
    });
  const preparedTexts = async (db: Kysely<Things>) =>
    (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(db)).rows.map(
      (r) => r.statement,
    );

  it('prepares a statement outside a transaction once per connection, and none inside one', async () => {
    const database = await open(await createPostgresDatabase('prepared_once'));
    const { db } = database;
    try {
      await sql`create table things (id integer primary key generated always as identity, name text not null)`.execute(
        db,
      );
      for (let i = 0; i < 3; i++) await db.selectFrom('things').selectAll().where('id', '=', i).execute();
      const byId = (await preparedTexts(db)).filter((t) => t.includes('"id" = $1'));
      expect(byId).toHaveLength(1);
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('things').values({ name: 'in a transaction' }).execute();
      });
      expect((await preparedTexts(db)).some((t) => t.startsWith('insert'))).toBe(false);
    } finally {
      await database.close();
    }
  });

  it('answers a prepared select * after a migration changed its columns, on a fresh plan', async () => {
    const url = await createPostgresDatabase('prepared_stale');
    const database = await open(url);
    const { db } = database;
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query(
        `create table things (id integer primary key generated always as identity, name text)`,
      );
      await other.query(`insert into things (name) values ('a')`);
      const all = () => db.selectFrom('things').selectAll().execute();
      expect(await all()).toEqual([{ id: 1, name: 'a' }]);
      // What a rolling update's migration does under a running pod.
      await other.query(`alter table things add column size integer not null default 7`);
      expect(await all()).toEqual([{ id: 1, name: 'a', size: 7 }]);
      expect(await all()).toEqual([{ id: 1, name: 'a', size: 7 }]);
    } finally {
      await other.end();
      await database.close();
    }
  });
});
