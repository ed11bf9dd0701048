import { sql, type Kysely } from 'kysely';

// When people can work: recurring weekly windows (local wall-clock times, read in the zone of the
// location where a shift is) and time off by whole days, requested then approved or declined.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table if not exists availability_windows (
      user_id integer not null references users (id) on delete cascade,
      weekday integer not null check (weekday between 1 and 7),
      start_time text not null check (start_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      end_time text not null check (end_time ~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'),
      constraint availability_windows_order check (end_time > start_time),
      primary key (user_id, weekday, start_time)
    )`.execute(db);
  await sql`alter table users add column if not exists availability_version integer not null default 1`.execute(
    db,
  );
  await sql`
    create table if not exists time_off (
      id integer primary key generated always as identity,
      user_id integer not null references users (id) on delete cascade,
      start_date date not null,
      end_date date not null,
      reason text check (reason is null or length(reason) <= 500),
      status text not null default 'requested' check (status in ('requested', 'approved', 'declined')),
      decided_by integer references users (id),
      decided_at timestamptz,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint time_off_order check (end_date >= start_date),
      constraint time_off_at_most_a_year check (end_date - start_date <= 365),
      constraint time_off_decided check ((status = 'requested') = (decided_at is null))
    )`.execute(db);
  await sql`create index if not exists time_off_by_user on time_off (user_id, start_date)`.execute(db);
  await sql`create index if not exists time_off_by_start on time_off (start_date, id)`.execute(db);
}
