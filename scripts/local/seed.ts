// A believable demo, created through the public APIs (so it exercises the real write path): two
// locations in different time zones, their roles, about 30 people, and two weeks of shifts around today
// (this week published, next week still a draft to publish).
import {
  accessOf,
  type Location,
  type Role,
  type ShiftCreate,
  type User,
  type UserCreate,
} from '@shiftstack/contract';
import type { DemoAccount } from '@shiftstack/dev-issuer';
// The board's own time-zone arithmetic (plain Intl), so the demo lands on the days the board shows.
import { addDays, dayKeyInZone, weekStart, zonedToUtc } from '@shiftstack/contract/time';

const LOCATIONS = [
  {
    name: 'Harbourfront Café',
    timezone: 'America/Toronto',
    roles: ['Barista', 'Cook', 'Server', 'Shift Lead', 'Dishwasher'],
  },
  {
    name: 'Granville Island Bakery',
    timezone: 'America/Vancouver',
    roles: ['Baker', 'Cashier', 'Barista', 'Shift Lead'],
  },
];

const PEOPLE: Array<[string, string]> = [
  ['Amara', 'Okafor'],
  ['Liam', 'Tremblay'],
  ['Sofia', 'Rossi'],
  ['Noah', 'Chen'],
  ['Priya', 'Sharma'],
  ['Mateo', 'García'],
  ['Chloé', 'Gagnon'],
  ['Ethan', 'Wong'],
  ['Aisha', 'Hassan'],
  ['Lucas', 'Roy'],
  ['Maya', 'Patel'],
  ['Owen', 'MacDonald'],
  ['Zara', 'Ahmed'],
  ['Felix', 'Bouchard'],
  ['Hana', 'Kim'],
  ['Jonah', 'Levi'],
  ['Nadia', 'Kowalski'],
  ['Diego', 'Fernández'],
  ['Ivy', 'Nguyen'],
  ['Samuel', 'Osei'],
  ['Leah', 'Cohen'],
  ['Arjun', 'Mehta'],
  ['Camille', 'Lefebvre'],
  ['Theo', 'Schmidt'],
  ['Yara', 'Haddad'],
  ['Ben', 'Thompson'],
  ['Mei', 'Lin'],
  ['Oscar', 'Lindqvist'],
  ['Ruth', 'Mensah'],
  ['Kai', 'Nakamura'],
];

const SHIFT_TIMES: Array<[string, string]> = [
  ['07:00', '15:00'],
  ['10:00', '18:00'],
  ['15:00', '23:00'],
];

/** Deterministic PRNG, so every fresh demo looks the same. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function call<T>(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** True when the users database already holds data (the demo is only created once). */
export async function alreadySeeded(usersUrl: string, token: string): Promise<boolean> {
  const page = await call<{ data: unknown[] }>(usersUrl, token, 'GET', '/api/v1/locations?limit=1');
  return page.data.length > 0;
}

/** Creates the demo as `token`'s person (an admin); answers who to offer on the sign-in page. */
export async function seedDemo(
  usersUrl: string,
  shiftsUrl: string,
  token: string,
  today = new Date(),
): Promise<{ people: number; shifts: number; accounts: DemoAccount[] }> {
  const rand = mulberry32(42);
  const locations: Array<{ location: Location; roles: Role[] }> = [];
  for (const spec of LOCATIONS) {
    const location = await call<Location>(usersUrl, token, 'POST', '/api/v1/locations', {
      name: spec.name,
      timezone: spec.timezone,
    });
    const roles: Role[] = [];
    for (const name of spec.roles)
      roles.push(
        await call<Role>(usersUrl, token, 'POST', '/api/v1/roles', { location_id: location.id, name }),
      );
    locations.push({ location, roles });
  }

  const people: Array<{ user: User; home: number; roles: Role[] }> = [];
  for (const [i, [first, last]] of PEOPLE.entries()) {
    const home = i % 2;
    const { location, roles } = locations[home]!;
    const role = roles[i % roles.length]!;
    const body: UserCreate = {
      first_name: first,
      last_name: last,
      email:
        `${first}.${last}`
          .normalize('NFD')
          .replace(/[^\w.]/g, '')
          .toLowerCase() + '@example.com',
      mobile_number: `+1 555 01${String(i).padStart(2, '0')}`,
      type: i < 2 ? 'manager' : i < 4 ? 'asst_manager' : 'employee',
      hire_date: addDays(dayKeyInZone(today, 'UTC'), -30 * (5 + i)),
      location_ids: [location.id],
      role_ids: [role.id],
    };
    people.push({
      user: await call<User>(usersUrl, token, 'POST', '/api/v1/users', body),
      home,
      roles: [role],
    });
  }

  const shifts: ShiftCreate[] = [];
  for (const [home, { location, roles }] of locations.entries()) {
    const monday = weekStart(dayKeyInZone(today, location.timezone));
    const staff = people.filter((p) => p.home === home);
    for (let day = 0; day < 14; day++) {
      const date = addDays(monday, day);
      const status = day < 7 ? 'published' : 'draft';
      for (const person of staff) {
        if (rand() < 0.35) continue; // days off
        const [from, to] = SHIFT_TIMES[Math.floor(rand() * SHIFT_TIMES.length)]!;
        shifts.push({
          location_id: location.id,
          role_id: person.roles[0]!.id,
          user_id: person.user.id,
          start: zonedToUtc(date, from, location.timezone).toISOString(),
          end: zonedToUtc(date, to, location.timezone).toISOString(),
          break_minutes: 30,
          status,
        });
      }
      // An open shift most days, for someone to pick up.
      if (rand() < 0.7) {
        shifts.push({
          location_id: location.id,
          role_id: roles[Math.floor(rand() * roles.length)]!.id,
          start: zonedToUtc(date, '11:00', location.timezone).toISOString(),
          end: zonedToUtc(date, '16:00', location.timezone).toISOString(),
          notes: 'Lunch rush cover',
          status,
        });
      }
    }
  }
  await inBatches(shifts, 8, (s) => call(shiftsUrl, token, 'POST', '/api/v1/shifts', s));
  // On the sign-in page: every manager, and the first two employees of each location.
  const offered = people.filter(
    (p, i) =>
      accessOf(p.user.type) === 'manager' ||
      people.slice(0, i).filter((q) => q.home === p.home && accessOf(q.user.type) === 'employee').length < 2,
  );
  const accounts = offered.map(({ user, home }) => ({
    email: user.email!,
    name: `${user.first_name} ${user.last_name}`,
    access: accessOf(user.type),
    location: locations[home]!.location.name,
  }));
  return { people: people.length, shifts: shifts.length, accounts };
}
