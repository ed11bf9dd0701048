import { sql, type Kysely } from 'kysely';

// Expand-only: later migrations add, backfill, then (in a later release) remove, so the previous
// version keeps working during a rolling update.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);

  await db.schema
    .createTable('locations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 120`))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index locations_name_key on locations (lower(name))`.execute(db);

  await db.schema
    .createTable('roles')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('location_id', 'integer', (c) => c.notNull().references('locations.id'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 80`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index roles_location_name_key on roles (location_id, lower(name))`.execute(db);

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('first_name', 'varchar(80)', (c) => c.notNull())
    .addColumn('last_name', 'varchar(80)', (c) => c.notNull())
    .addColumn('email', 'varchar(155)')
    .addColumn('mobile_number', 'varchar(32)')
    .addColumn('type', 'text', (c) =>
      c
        .notNull()
        .defaultTo('employee')
        .check(sql`type in ('employee', 'asst_manager', 'manager', 'employer')`),
    )
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('inactive_reason', 'text')
    .addColumn('hire_date', 'date')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('users_inactive_has_reason', sql`active or inactive_reason is not null`)
    .execute();
  await sql`create unique index users_email_key on users (lower(email)) where email is not null`.execute(db);
  // Serves the default listing (one status, ordered by name) as a keyset.
  await sql`create index users_listing on users (active, last_name, first_name, id)`.execute(db);
  await sql`create index users_name_order on users (last_name, first_name, id)`.execute(db);
  // Serves `q` (ILIKE '%...%') on names and email.
  await sql`create index users_search on users using gin ((first_name || ' ' || last_name || ' ' || coalesce(email, '')) gin_trgm_ops)`.execute(
    db,
  );

  await db.schema
    .createTable('user_locations')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('location_id', 'integer', (c) => c.notNull().references('locations.id'))
    .addPrimaryKeyConstraint('user_locations_pkey', ['user_id', 'location_id'])
    .execute();
  await db.schema
    .createIndex('user_locations_by_location')
    .on('user_locations')
    .columns(['location_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role_id', 'integer', (c) => c.notNull().references('roles.id'))
    .addPrimaryKeyConstraint('user_roles_pkey', ['user_id', 'role_id'])
    .execute();
  await db.schema
    .createIndex('user_roles_by_role')
    .on('user_roles')
    .columns(['role_id', 'user_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['user_roles', 'user_locations', 'users', 'roles', 'locations'])
    await db.schema.dropTable(t).execute();
}
