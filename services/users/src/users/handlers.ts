// One named handler per users route, on plain values (the caller, the validated input, the request id):
// the registrar in routes.ts reads them off the request. The rules of a change are in rules.ts.
import {
  accessOf,
  type PersonPrincipal,
  type UserCreate,
  type UserListQuery,
  type UserPatch,
} from '@shiftstack/contract';
import {
  forbidden,
  notFound,
  pageMeta,
  requiredIfMatch,
  validateIdempotencyKey,
  versionMismatch,
  withIdempotency,
  ProblemError,
  type TokenIdentity,
} from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { UsersDatabase } from '../db';
import { personSigningIn } from '../identities/sign-in';
import { asSeenBy, maySee, requireAdmin, requireManages, visibleLocations } from '../access';
import type { ShiftsClient } from '../shifts-client';
import { findUser, insertUser, listUsers, updateUser } from './queries';
import { checkLinks, checkManagerChange, emailTaken, trimmed } from './rules';
import { toUser } from './to-user';

export interface Deps {
  db: Kysely<UsersDatabase>;
  shifts: ShiftsClient;
}

type Reader = PersonPrincipal | 'service';

export async function me({ db }: Deps, p: PersonPrincipal) {
  const row = await findUser(db, p.id);
  if (!row) throw notFound('User', p.id);
  return { ...toUser(row), access: p.access };
}

export async function byIdentity({ db }: Deps, identity: TokenIdentity) {
  const signingIn = await personSigningIn(db, identity);
  if (!signingIn.row) throw new ProblemError({ status: 404, code: 'not-found', detail: signingIn.why });
  return asSeenBy('service', toUser(signingIn.row));
}

export async function listPage({ db }: Deps, reader: Reader, q: UserListQuery) {
  const { ids, status, limit = 100, ...rest } = q;
  const seesContacts = reader === 'service' || reader.access !== 'employee';
  if (rest.email && !seesContacts) throw forbidden('Only managers and admins may look people up by email.');
  const idList = ids ? [...new Set(ids.split(',').map(Number))] : undefined;
  const page = await listUsers(db, {
    ...rest,
    ids: idList,
    status: status ?? (idList ? 'all' : 'active'),
    within_locations: visibleLocations(reader),
    search_email: seesContacts,
    limit,
  });
  return { data: page.rows.map((r) => asSeenBy(reader, toUser(r))), meta: pageMeta(page) };
}

export async function readOne({ db }: Deps, reader: Reader, id: number) {
  const row = await findUser(db, id);
  if (!row) throw notFound('User', id);
  if (!maySee(reader, row)) throw forbidden(`Person ${row.id} does not work at any of your locations.`);
  return asSeenBy(reader, toUser(row));
}

export async function create({ db }: Deps, p: PersonPrincipal, b: UserCreate, keyHeader: string | undefined) {
  const key = validateIdempotencyKey(keyHeader);
  const { location_ids = [], role_ids = [], ...values } = trimmed(b);
  if (p.access !== 'admin') {
    requireManages(p, location_ids, 'add people');
    if (location_ids.length === 0) throw forbidden('Add the person to a location you manage.');
    if (values.type && accessOf(values.type) === 'admin') requireAdmin(p, 'make someone an admin');
  }
  return withIdempotency(db, { scope: 'POST /api/v1/users', caller: p, key, request: b }, async (trx) => {
    await checkLinks(trx, { location_ids, role_ids });
    const row = await insertUser(trx, values, { location_ids, role_ids }).catch(emailTaken);
    return { status: 201, body: toUser(row) };
  });
}

export async function change(
  { db }: Deps,
  p: PersonPrincipal,
  id: number,
  ifMatch: string | undefined,
  b: UserPatch,
) {
  if (p.access === 'employee') throw forbidden('Only managers and admins may change people.');
  const { location_ids, role_ids, active, ...values } = trimmed(b);
  const row = await db.transaction().execute(async (trx) => {
    const before = await findUser(trx, id);
    if (!before) throw notFound('User', id);
    const expected = requiredIfMatch(ifMatch);
    checkManagerChange(p, before, { type: values.type, location_ids });
    if (location_ids || role_ids) {
      await checkLinks(trx, {
        location_ids: location_ids ?? before.location_ids,
        role_ids: role_ids ?? before.role_ids,
      });
    }
    const reactivate = active ? { active: true, inactive_reason: null } : {};
    const updated = await updateUser(
      trx,
      id,
      expected,
      { ...values, ...reactivate },
      { location_ids, role_ids },
    ).catch(emailTaken);
    if (updated) return updated;
    const current = await findUser(trx, id);
    if (!current) throw notFound('User', id);
    throw versionMismatch(current.version);
  });
  return toUser(row);
}

export async function deactivate(
  { db, shifts }: Deps,
  p: PersonPrincipal,
  id: number,
  ifMatch: string | undefined,
  givenReason: string | undefined,
  requestId: string,
) {
  if (p.access === 'employee') throw forbidden('Only managers and admins may deactivate people.');
  const reason = givenReason?.trim() || 'Deactivated';
  const before = await findUser(db, id);
  if (!before) throw notFound('User', id);
  const expected = requiredIfMatch(ifMatch);
  checkManagerChange(p, before, {});
  if (expected !== before.version && before.active) throw versionMismatch(before.version);
  // Shifts first: if it cannot answer, the person stays active and nothing has changed. Repeating the
  // deactivation (even of someone already inactive) opens whatever is still theirs.
  const opened = await shifts.openFutureShifts(before.id, requestId);
  const row = await db.transaction().execute(async (trx) => {
    const current = await findUser(trx, before.id);
    if (!current) throw notFound('User', before.id);
    if (!current.active) return current; // already inactive: deactivating again changes nothing
    if (expected !== current.version) throw versionMismatch(current.version);
    return (
      (await updateUser(trx, current.id, current.version, { active: false, inactive_reason: reason })) ??
      current
    );
  });
  return { ...toUser(row), opened_shift_ids: opened };
}
