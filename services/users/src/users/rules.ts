// The rules of changing people: links that must exist and belong together, what a manager may not do,
// the one email per person, and names without stray spaces.
import { accessOf, managesLocation, type PersonPrincipal } from '@shiftstack/contract';
import { ProblemError, forbidden, isUniqueViolation } from '@shiftstack/service-kit';
import type { Kysely } from 'kysely';
import type { UsersDatabase } from '../db';
import { requireAdmin, requireManages } from '../access';
import { existingLocationIds } from '../locations/queries';
import { rolesByIds } from '../roles/queries';
import type { UserRow } from './queries';

/**
 * Refuses ids of locations or roles that do not exist, naming the field at fault, and roles at a location
 * the person does not work at. `links` are the person's locations and roles after the change.
 */
export async function checkLinks(
  db: Kysely<UsersDatabase>,
  links: { location_ids?: number[]; role_ids?: number[] },
) {
  if (links.location_ids?.length) {
    const found = await existingLocationIds(db, links.location_ids);
    const missing = links.location_ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ProblemError({
        status: 422,
        code: 'unknown-location',
        param: 'location_ids',
        detail: `Unknown location ids: ${missing.join(', ')}.`,
      });
    }
  }
  if (links.role_ids?.length) {
    const roles = await rolesByIds(db, links.role_ids);
    const found = new Set(roles.map((r) => r.id));
    const missing = links.role_ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new ProblemError({
        status: 422,
        code: 'unknown-role',
        param: 'role_ids',
        detail: `Unknown role ids: ${missing.join(', ')}.`,
      });
    }
    const elsewhere = roles.filter((r) => !(links.location_ids ?? []).includes(r.location_id));
    if (elsewhere.length > 0) {
      throw new ProblemError({
        status: 422,
        code: 'role-not-at-location',
        param: 'role_ids',
        detail: `${elsewhere.map((r) => `${r.name} (role ${r.id})`).join(', ')} belongs to location ${[...new Set(elsewhere.map((r) => r.location_id))].join(', ')}, where this person does not work. Add the location too, or choose a role at their locations.`,
      });
    }
  }
}

/**
 * What a manager may not do to a person: change or deactivate someone who also works at a location they do
 * not run (that person's type, sign-in email and standing there are for an admin, or a manager of every
 * location they work at), touch admins, make admins, or move people between locations they do not run.
 */
export function checkManagerChange(
  p: PersonPrincipal,
  current: UserRow,
  change: { type?: UserRow['type']; location_ids?: number[] },
) {
  if (p.access === 'admin') return;
  if (p.access === 'employee') throw forbidden('Only managers and admins may change people.');
  const name = `${current.first_name} ${current.last_name}`;
  const elsewhere = current.location_ids.filter((id) => !managesLocation(p, id));
  if (elsewhere.length === current.location_ids.length)
    throw forbidden(`${name} does not work at a location you manage.`);
  if (elsewhere.length > 0)
    throw forbidden(
      `${name} also works at location ${elsewhere.join(', ')}, which you do not manage: only an admin, ` +
        'or a manager of every location they work at, may change or deactivate them.',
    );
  if (accessOf(current.type) === 'admin') throw forbidden('Only admins may change an admin.');
  if (change.type && accessOf(change.type) === 'admin') requireAdmin(p, 'make someone an admin');
  if (change.location_ids) {
    const before = new Set(current.location_ids);
    const after = new Set(change.location_ids);
    const moved = [...before, ...after].filter((id) => before.has(id) !== after.has(id));
    requireManages(p, moved, 'add or remove people');
  }
}

export function emailTaken(err: unknown): never {
  if (isUniqueViolation(err, 'users_email_key')) {
    throw new ProblemError({
      status: 409,
      code: 'email-taken',
      param: 'email',
      detail: 'Another person already has this email address.',
    });
  }
  throw err;
}

export const trimmed = <T extends { first_name?: string; last_name?: string; email?: string | null }>(
  b: T,
): T => ({
  ...b,
  ...(b.first_name !== undefined ? { first_name: b.first_name.trim() } : {}),
  ...(b.last_name !== undefined ? { last_name: b.last_name.trim() } : {}),
  ...(typeof b.email === 'string' ? { email: b.email.trim() } : {}),
});
