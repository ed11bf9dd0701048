// A shift row as the API answers it (the assignee's name, from users, where it was asked for).
import type { Assignee, Shift } from '@shiftstack/contract';
import type { ShiftRow } from '../db';

export function toShift(row: ShiftRow, assignee?: Assignee | null): Shift {
  return {
    id: row.id,
    location_id: row.location_id,
    role_id: row.role_id,
    user_id: row.user_id,
    start: row.start_at,
    end: row.end_at,
    timezone: row.timezone,
    break_minutes: row.break_minutes,
    notes: row.notes,
    status: row.status,
    published_at: row.published_at,
    deleted_at: row.deleted_at,
    version: row.version,
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...(assignee !== undefined ? { assignee } : {}),
  };
}
