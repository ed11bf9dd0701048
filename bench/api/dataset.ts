// The benchmark's data: a chain of 10 locations with 300 people each (3,000 people) and a year of shifts,
// written straight into the services' migrated databases with set-based SQL (creating 10,000 shifts
// through the API would take longer than the benchmark itself). The benchmarked location-week has 175
// shifts, one in ten open, all published. `growShifts` then adds past years at every location, to show the
// week's query plan stays flat as the table grows to a million rows.
/** Enough of a database client to write the data set: pg's or PGlite's. */
export interface Sql {
  /** Several statements, no parameters. */
  exec(text: string): Promise<void>;
  query<R = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<{ rows: R[]; affected: number }>;
}

export const LOCATIONS = 10;
export const ROLES_PER_LOCATION = 6;
export const PEOPLE_PER_LOCATION = 300;
/** Shifts a day at each location: 25 a day is 175 in the benchmarked week. */
export const SHIFTS_PER_DAY = 25;
/** The benchmarked location, and a person at it (ids are fixed so queries can name them). */
export const BENCH_LOCATION = 1;
export const BENCH_PERSON = 100_007;

// Fixed ids (OVERRIDING SYSTEM VALUE) far above what the services' identity sequences hand out.
const roleId = (l: string, r: string) => `(1000 + (${l} - 1) * ${ROLES_PER_LOCATION} + ${r})`;
const personId = (l: string, p: string) => `(100000 + (${p} - 1) * ${LOCATIONS} + ${l})`;

export async function seedPeople(users: Sql): Promise<void> {
  await users.exec(`
    insert into locations (id, name, timezone)
    overriding system value
    select l, 'Location ' || l, 'UTC' from generate_series(1, ${LOCATIONS}) l;

    insert into roles (id, location_id, name)
    overriding system value
    select ${roleId('l', 'r')}, l, 'Role ' || r
      from generate_series(1, ${LOCATIONS}) l, generate_series(1, ${ROLES_PER_LOCATION}) r;

    insert into users (id, first_name, last_name, email, mobile_number, type, hire_date)
    overriding system value
    select ${personId('l', 'p')}, 'First' || p, 'Last' || l || '-' || p,
           'person' || ${personId('l', 'p')} || '@bench.example', '+1555' || lpad(p::text, 7, '0'),
           case when p = 1 then 'manager' else 'employee' end, date '2024-01-01' + p
      from generate_series(1, ${LOCATIONS}) l, generate_series(1, ${PEOPLE_PER_LOCATION}) p;

    insert into user_locations (user_id, location_id)
    select ${personId('l', 'p')}, l
      from generate_series(1, ${LOCATIONS}) l, generate_series(1, ${PEOPLE_PER_LOCATION}) p;

    insert into user_roles (user_id, role_id)
    select ${personId('l', 'p')}, ${roleId('l', `(1 + p % ${ROLES_PER_LOCATION})`)}
      from generate_series(1, ${LOCATIONS}) l, generate_series(1, ${PEOPLE_PER_LOCATION}) p;

    analyze;
  `);
}

/**
 * Shifts on `days` days from `firstDay` at the given locations: SHIFTS_PER_DAY a day, 8 hours each, starting
 * between 06:00 and 14:00; slot k of day d goes to person (d * SHIFTS_PER_DAY + k) mod 300 of the location,
 * so nobody works twice in a day (the no-overlap constraint holds), and every tenth shift is open.
 */
export async function addShifts(
  shifts: Sql,
  opts: { firstDay: string; days: number; locations: number[] },
): Promise<number> {
  const r = await shifts.query(
    `
    insert into shifts (location_id, role_id, user_id, start_at, end_at, timezone, status, published_at)
    select l, ${roleId('l', `(1 + person % ${ROLES_PER_LOCATION})`)},
           case when k % 10 = 9 then null else ${personId('l', '(person + 1)')} end,
           start_at, start_at + interval '8 hours', 'UTC', 'published', start_at - interval '7 days'
      from unnest($1::int[]) l, generate_series(0, $2::int - 1) d, generate_series(0, ${SHIFTS_PER_DAY - 1}) k,
           lateral (select ((d * ${SHIFTS_PER_DAY} + k) % ${PEOPLE_PER_LOCATION}) as person,
                           $3::date::timestamptz + make_interval(days => d, hours => 6 + k % 9) as start_at) s`,
    [opts.locations, opts.days, opts.firstDay],
  );
  return r.affected;
}

/** Monday of the current week, as YYYY-MM-DD (UTC). */
export function thisMonday(): string {
  const monday = new Date();
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return monday.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** A year of shifts at the benchmarked location around this week (~9,100), and a week elsewhere: ~10k. */
export async function seedYear(shifts: Sql): Promise<number> {
  const monday = thisMonday();
  const year = await addShifts(shifts, {
    firstDay: addDays(monday, -26 * 7),
    days: 52 * 7,
    locations: [BENCH_LOCATION],
  });
  const others = await addShifts(shifts, {
    firstDay: monday,
    days: 4,
    locations: Array.from({ length: LOCATIONS - 1 }, (_, i) => i + 2),
  });
  await shifts.exec('analyze shifts');
  return year + others;
}

/** Grows the table to about `total` shifts with earlier years at every location; answers the count. */
export async function growShifts(shifts: Sql, total: number): Promise<number> {
  const { rows } = await shifts.query<{ n: number }>('select count(*)::int n from shifts');
  const perDay = LOCATIONS * SHIFTS_PER_DAY;
  const days = Math.ceil((total - rows[0]!.n) / perDay);
  const before = addDays(thisMonday(), -26 * 7);
  const added = await addShifts(shifts, {
    firstDay: addDays(before, -days),
    days,
    locations: Array.from({ length: LOCATIONS }, (_, i) => i + 1),
  });
  await shifts.exec('vacuum analyze shifts');
  return rows[0]!.n + added;
}
