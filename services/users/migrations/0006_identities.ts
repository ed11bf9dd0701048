import { sql, type Kysely } from 'kysely';

// Who signs in as whom: the issuer's (iss, sub) pair, bound to a person at their first sign-in through an
// email address the issuer says is verified, and matched by that pair alone afterwards. A person's email
// can change (it is an invitation, not an identity) without moving who signs in as them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table if not exists identities (
      issuer text not null,
      subject text not null,
      user_id integer not null references users (id) on delete cascade,
      bound_at timestamptz not null default now(),
      primary key (issuer, subject),
      constraint identities_one_per_issuer unique (issuer, user_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists identities`.execute(db);
}
