// Which people a change to a shift concerns, and what to tell them. Drafts are the manager's business:
// only shifts staff can see (published, or being published) notify anyone.
import type { ShiftRow } from '../db';
import { toShift } from '../shifts/to-shift';
import type { Notification } from './outbox';

const previousOf = (s: ShiftRow) => ({
  start: s.start_at,
  end: s.end_at,
  user_id: s.user_id,
  role_id: s.role_id,
});

export function changeNotifications(before: ShiftRow, after: ShiftRow): Notification[] {
  const shift = toShift(after);
  if (before.status === 'draft')
    return after.status === 'published' && after.user_id
      ? [{ kind: 'shift.published', user_id: after.user_id, payload: { shift } }]
      : [];
  if (after.status === 'draft')
    return before.user_id
      ? [{ kind: 'shift.cancelled', user_id: before.user_id, payload: { shift_id: after.id } }]
      : [];
  const events: Notification[] = [];
  if (before.user_id && before.user_id !== after.user_id)
    events.push({ kind: 'shift.unassigned', user_id: before.user_id, payload: { shift_id: after.id } });
  if (after.user_id)
    events.push({
      kind: 'shift.changed',
      user_id: after.user_id,
      payload: { shift, previous: previousOf(before) },
    });
  return events;
}

export function removalNotifications(before: ShiftRow): Notification[] {
  return before.status === 'published' && before.user_id
    ? [{ kind: 'shift.cancelled', user_id: before.user_id, payload: { shift_id: before.id } }]
    : [];
}
