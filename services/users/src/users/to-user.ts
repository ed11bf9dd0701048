// A person's row as the API answers it.
import type { User } from '@shiftstack/contract';
import type { UserRow } from './queries';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    first_name: row.first_name,
    last_name: row.last_name,
    email: row.email,
    mobile_number: row.mobile_number,
    type: row.type,
    active: row.active,
    inactive_reason: row.inactive_reason,
    hire_date: row.hire_date,
    location_ids: row.location_ids,
    role_ids: row.role_ids,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
