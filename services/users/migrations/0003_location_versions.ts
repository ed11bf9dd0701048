import { sql, type Kysely } from 'kysely';

// Locations get a version like people have, so that changing one needs If-Match (never a blind overwrite).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table locations add column if not exists version integer not null default 1`.execute(db);
}
