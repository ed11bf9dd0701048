// Time off: a person asks for days off (or a manager does for them); a manager of one of their locations,
// or an admin, approves or declines it; never the person themselves unless they are an admin. Approved
// time off is what the shifts service refuses to schedule over.
import type {
  PersonPrincipal,
  TimeOff,
  TimeOffCreate,
  TimeOffDecision,
  TimeOffListQuery,
} from '@shiftstack/contract';
import {
  forbidden,
  invalid,
  notFound,
  pageMeta,
  requiredIfMatch,
  versionMismatch,
} from '@shiftstack/service-kit';
import { daysBetween } from '@shiftstack/contract/time';
import type { Kysely } from 'kysely';
import { requireSelfOrManager, visibleLocations } from '../access';
import type { UsersDatabase } from '../db';
import { findUser } from '../users/queries';
import { decideTimeOff, findTimeOff, insertTimeOff, listTimeOff, type TimeOffRow } from './queries';

export function toTimeOff(row: TimeOffRow): TimeOff {
  return {
    id: row.id,
    user_id: row.user_id,
    start_date: row.start_date,
    end_date: row.end_date,
    reason: row.reason,
    status: row.status,
    decided_by: row.decided_by,
    decided_at: row.decided_at,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function listPage(
  db: Kysely<UsersDatabase>,
  reader: PersonPrincipal | 'service',
  q: TimeOffListQuery,
) {
  if (daysBetween(q.from, q.to) < 0) throw invalid('to', 'to must be on or after from.');
  if (daysBetween(q.from, q.to) > 366) throw invalid('to', 'Ask for at most 366 days at a time.');
  // Employees read their own; managers the people of their locations; admins and services everyone.
  const own = reader !== 'service' && reader.access === 'employee';
  if (own && q.user_id !== undefined && q.user_id !== reader.id)
    throw forbidden('Employees may read their own time off only.');
  const page = await listTimeOff(db, {
    ...q,
    user_id: own ? reader.id : q.user_id,
    within_locations: own ? undefined : visibleLocations(reader),
    limit: q.limit ?? 100,
  });
  return { data: page.rows.map((row) => asSeenBy(reader, toTimeOff(row))), meta: pageMeta(page) };
}

/** A service (shifts: does this person have time off then?) reads the days, never the person's reason. */
const asSeenBy = (reader: PersonPrincipal | 'service', t: TimeOff): TimeOff =>
  reader === 'service' ? { ...t, reason: null } : t;

export async function readOne(db: Kysely<UsersDatabase>, reader: PersonPrincipal | 'service', id: number) {
  const row = await findTimeOff(db, id);
  if (!row) throw notFound('Time off', id);
  const person = await findUser(db, row.user_id);
  requireSelfOrManager(reader, person ?? { id: row.user_id, location_ids: [] }, 'read their time off');
  return asSeenBy(reader, toTimeOff(row));
}

export async function create(db: Kysely<UsersDatabase>, p: PersonPrincipal, b: TimeOffCreate) {
  const userId = b.user_id ?? p.id;
  const person = await findUser(db, userId);
  if (!person) throw invalid('user_id', `User ${userId} does not exist.`);
  requireSelfOrManager(p, person, 'ask for their time off');
  if (!person.active) throw invalid('user_id', `${person.first_name} ${person.last_name} is inactive.`);
  if (daysBetween(b.start_date, b.end_date) < 0)
    throw invalid('end_date', 'The last day off must not be before the first.');
  if (daysBetween(b.start_date, b.end_date) > 365)
    throw invalid('end_date', 'Ask for at most a year at a time.');
  const reason = b.reason?.trim() || null;
  return toTimeOff(
    await insertTimeOff(db, { user_id: userId, start_date: b.start_date, end_date: b.end_date, reason }),
  );
}

export async function decide(
  db: Kysely<UsersDatabase>,
  p: PersonPrincipal,
  id: number,
  ifMatch: string | undefined,
  b: TimeOffDecision,
) {
  const row = await findTimeOff(db, id);
  if (!row) throw notFound('Time off', id);
  const person = await findUser(db, row.user_id);
  if (p.access === 'employee' || (p.id === row.user_id && p.access !== 'admin'))
    throw forbidden('A manager of their location or an admin decides time off, not the person asking.');
  requireSelfOrManager(p, person ?? { id: row.user_id, location_ids: [] }, 'decide their time off');
  const expected = requiredIfMatch(ifMatch);
  const saved = await decideTimeOff(db, id, expected, { status: b.status, decided_by: p.id });
  if (saved) return toTimeOff(saved);
  const now = await findTimeOff(db, id);
  throw now ? versionMismatch(now.version) : notFound('Time off', id);
}
