// What dropping a shift on a cell means: the same local times on the cell's day, given to the cell's
// person (or made open, on the open row). Pure, so the board and its tests share it.
import type { ShiftPatch } from '@shiftstack/contract';
import type { Shift } from '../api';
import { dayKeyInZone, daysBetween, sameTimeDaysLater, toIso } from '../time';

export interface CellTarget {
  /** null: the open-shifts row. */
  userId: number | null;
  day: string;
  /** How a screen reader names the cell: "Maya Patel, Tuesday 12 November". */
  label: string;
}

/** The change a drop asks for (null when dropped where it was), and the shift as it will look. */
export function moveOf(
  shift: Shift,
  target: CellTarget,
  tz: string,
): { patch: ShiftPatch; moved: Shift } | null {
  const fromDay = dayKeyInZone(new Date(shift.start), tz);
  const days = daysBetween(fromDay, target.day);
  const patch: ShiftPatch = {};
  if (days !== 0) {
    patch.start = toIso(sameTimeDaysLater(shift.start, days, tz));
    patch.end = toIso(sameTimeDaysLater(shift.end, days, tz));
  }
  if (target.userId !== shift.user_id) patch.user_id = target.userId;
  if (Object.keys(patch).length === 0) return null;
  const moved: Shift = {
    ...shift,
    start: patch.start ?? shift.start,
    end: patch.end ?? shift.end,
    user_id: target.userId,
    ...(target.userId !== shift.user_id ? { assignee: null } : {}),
  };
  return { patch, moved };
}
