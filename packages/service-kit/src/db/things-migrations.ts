// A small migration history for the database layer's own tests (database.test.ts on PGlite,
// database.postgres.test.ts on PostgreSQL): a table of things, a column added later, an index.
import { sql, type Kysely, type Migration } from 'kysely';

export const migrations: Record<string, Migration> = {
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
