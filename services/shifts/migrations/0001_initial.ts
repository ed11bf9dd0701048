import { sql, type Kysely } from 'kysely';

// No foreign key crosses databases: location_id, role_id and user_id are checked with the users service.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists btree_gist`.execute(db);
  await sql`
    create table shifts (
      id integer primary key generated always as identity,
      location_id integer not null,
      role_id integer,
      user_id integer,
      start_at timestamptz not null,
      end_at timestamptz not null,
      timezone text not null,
      break_minutes integer not null default 0,
      notes text,
      status text not null default 'draft',
      published_at timestamptz,
      deleted_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint shifts_status check (status in ('draft', 'published')),
      constraint shifts_end_after_start check (end_at > start_at),
      constraint shifts_max_length check (end_at - start_at <= interval '24 hours'),
      constraint shifts_break_shorter check (break_minutes >= 0 and make_interval(mins => break_minutes) < end_at - start_at),
      constraint shifts_notes_length check (notes is null or length(notes) <= 1000),
      constraint shifts_published_at check (status = 'draft' or published_at is not null),
      -- One person, one place at a time: enforced by the database, so concurrent writers cannot race past it.
      -- '[)' lets back-to-back shifts touch.
      constraint shifts_no_overlap exclude using gist (
        user_id with =,
        tstzrange(start_at, end_at, '[)') with &&
      ) where (user_id is not null and deleted_at is null)
    )`.execute(db);
  await sql`create index shifts_by_location_start on shifts (location_id, start_at, id)`.execute(db);
  await sql`create index shifts_by_start on shifts (start_at, id)`.execute(db);
  await sql`create index shifts_by_user_start on shifts (user_id, start_at) where user_id is not null`.execute(
    db,
  );
  await sql`create index shifts_open_by_location on shifts (location_id, start_at) where user_id is null and deleted_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('shifts').execute();
}
