import { sql, type Kysely } from 'kysely';

// Notifications: what a publish or a change to a published shift means for each person, written in the
// same transaction as the change, then delivered (at least once) to the organisation's webhook.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table if not exists outbox (
      id bigint primary key generated always as identity,
      kind text not null,
      user_id integer not null,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text,
      delivered_at timestamptz
    )`.execute(db);
  await sql`create index if not exists outbox_due on outbox (next_attempt_at, id) where delivered_at is null`.execute(
    db,
  );
}
