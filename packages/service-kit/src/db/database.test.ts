// The database layer on real back ends: migrations run concurrently by many replicas apply once (the
// advisory lock), and the PGlite dialect never lets two transactions interleave on its single session.
import { sql, type Generated, type Kysely, type Migration } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, databaseKinds, silentLogger } from '../testing';
import { MigrationTimeoutError, openDatabase, type Database, type ServiceMigration } from './database';

const migrations: Record<string, Migration> = {
  '0001_things': {
    async up(db: Kysely<unknown>) {
      // Slow enough that replicas really overlap.
      await sql`select pg_sleep(0.2)`.execute(db);
      await sql`create table things (id integer primary key generated always as identity, name text not null)`.execute(
        db,
      );
    },
  },
  '0002_more': {
    async up(db: Kysely<unknown>) {
      await sql`alter table things add column size integer not null default 0`.execute(db);
    },
  },
  '0003_index': {
    async up(db: Kysely<unknown>) {
      await sql`create index things_name on things (name)`.execute(db);
    },
  },
};

describe('migrations under the advisory lock (PostgreSQL)', () => {
  it(
    'ten replicas migrating one fresh database at once all succeed, and each migration is recorded once',
    { timeout: 60_000 },
    async (ctx) => {
      if (!databaseKinds().includes('postgres')) return ctx.skip();
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

describe('migrations, each in its own transaction and time limit (PostgreSQL)', () => {
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

  it('runs a migration that refuses a transaction (CREATE INDEX CONCURRENTLY) and one longer than a request may take', async (ctx) => {
    if (!databaseKinds().includes('postgres')) return ctx.skip();
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

  it('a failed migration leaves nothing half-done: its own transaction rolls back', async (ctx) => {
    if (!databaseKinds().includes('postgres')) return ctx.skip();
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

  it('a migration past DB_MIGRATION_TIMEOUT_MS is cancelled with an error that names the setting', async (ctx) => {
    if (!databaseKinds().includes('postgres')) return ctx.skip();
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

describe('PGlite dialect: one session, transactions never interleave', () => {
  let database: Database<{ things: { id: Generated<number>; name: string; size: Generated<number> } }>;
  beforeAll(async () => {
    database = await openDatabase({
      config: { kind: 'pglite', dataDir: 'memory://', statementTimeoutMs: 5000 },
      serviceName: 't',
      logger: silentLogger,
    });
    await database.migrate(migrations);
  }, 60_000);
  afterAll(() => database?.close());

  it('two transactions that insert then count their own rows each see only their own work', async () => {
    await sql`delete from things`.execute(database.db);
    const run = (tag: string) =>
      database.db.transaction().execute(async (trx) => {
        for (let i = 0; i < 5; i++) {
          await trx.insertInto('things').values({ name: tag }).execute();
          await sql`select pg_sleep(0.01)`.execute(trx);
        }
        const all = await trx
          .selectFrom('things')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const mine = await trx
          .selectFrom('things')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('name', '=', tag)
          .executeTakeFirstOrThrow();
        if (tag === 'b') throw new Error('roll me back');
        return { all: Number(all.n), mine: Number(mine.n) };
      });
    const [a, b] = await Promise.allSettled([run('a'), run('b')]);
    expect(b.status).toBe('rejected');
    expect((b as PromiseRejectedResult).reason).toMatchObject({ message: 'roll me back' });
    // a committed; b's rows were all rolled back, none leaked into a.
    expect(a.status).toBe('fulfilled');
    const rows = await database.db.selectFrom('things').select('name').execute();
    expect(rows.map((r) => r.name)).toEqual(['a', 'a', 'a', 'a', 'a']);
  });

  it('a write outside a transaction waits for the open transaction to finish', async () => {
    await sql`delete from things`.execute(database.db);
    const order: string[] = [];
    const tx = database.db.transaction().execute(async (trx) => {
      await trx.insertInto('things').values({ name: 'tx' }).execute();
      order.push('tx-insert');
      await sql`select pg_sleep(0.2)`.execute(trx);
      const seen = await trx.selectFrom('things').select('name').execute();
      order.push('tx-end');
      return seen.map((r) => r.name);
    });
    // Give the transaction time to begin, then write from "another request".
    await new Promise((r) => setTimeout(r, 50));
    const write = database.db
      .insertInto('things')
      .values({ name: 'outside' })
      .execute()
      .then(() => order.push('outside'));
    const [seenInTx] = await Promise.all([tx, write]);
    expect(seenInTx).toEqual(['tx']); // the other write did not run inside the transaction
    expect(order).toEqual(['tx-insert', 'tx-end', 'outside']);
    expect(
      (await database.db.selectFrom('things').select('name').orderBy('id').execute()).map((r) => r.name),
    ).toEqual(['tx', 'outside']);
  });

  it('a ping fails once the database is closed', async () => {
    const other = await openDatabase({
      config: { kind: 'pglite', dataDir: 'memory://', statementTimeoutMs: 5000 },
      serviceName: 't',
      logger: silentLogger,
    });
    await other.ping();
    await other.close();
    await expect(other.ping()).rejects.toThrow();
  }, 60_000);
});

describe('prepared statements (PostgreSQL)', () => {
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

  it('prepares a statement outside a transaction once per connection, and none inside one', async (ctx) => {
    if (!databaseKinds().includes('postgres')) return ctx.skip();
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

  it('answers a prepared select * after a migration changed its columns, on a fresh plan', async (ctx) => {
    if (!databaseKinds().includes('postgres')) return ctx.skip();
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
