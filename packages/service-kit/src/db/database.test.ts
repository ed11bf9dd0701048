// The PGlite dialect on its single session: two transactions never interleave, and a write from outside
// waits for the open one. The same layer on a real PostgreSQL server is database.postgres.test.ts.
import { sql, type Generated } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../testing';
import { openDatabase, type Database } from './database';
import { migrations } from './things-migrations';

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
    let begun!: () => void;
    const transactionBegun = new Promise<void>((resolve) => (begun = resolve));
    const tx = database.db.transaction().execute(async (trx) => {
      await trx.insertInto('things').values({ name: 'tx' }).execute();
      order.push('tx-insert');
      begun();
      await sql`select pg_sleep(0.2)`.execute(trx);
      const seen = await trx.selectFrom('things').select('name').execute();
      order.push('tx-end');
      return seen.map((r) => r.name);
    });
    // Once the transaction has written, write from "another request" while it is still open.
    await transactionBegun;
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
