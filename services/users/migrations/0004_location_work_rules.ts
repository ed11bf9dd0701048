import { sql, type Kysely } from 'kysely';

// What the board warns about before a week is published: paid hours a week past which a person is in
// overtime (40: Ontario's and the US FLSA's line) and the least rest between two shifts (11 h: the EU
// Working Time Directive's daily rest, and Ontario's). Per location, because the law is local.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table locations
      add column if not exists overtime_hours_per_week integer not null default 40
        constraint locations_overtime_hours check (overtime_hours_per_week between 1 and 168),
      add column if not exists min_rest_hours integer not null default 11
        constraint locations_min_rest_hours check (min_rest_hours between 0 and 24)`.execute(db);
}
