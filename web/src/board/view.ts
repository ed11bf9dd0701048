// What the board shows of a week's data under the filters: the rows (open shifts first, then people by last
// name), the shifts in each cell, each person's hours, time off and availability, and the counts. Pure
// derivations, memoised.
import { useMemo } from 'react';
import type { TimeOff } from '@shiftstack/contract';
import type { Shift } from '../api';
import { addDays, dayKeyInZone, paidHours } from '../time';
import { windowsByUser } from './availability';
import type { WeekData } from './useWeekData';

export interface Row {
  key: string;
  userId: number | null;
  name: string;
  detail?: string;
}

interface Named {
  first_name: string;
  last_name: string;
}

export function personName(p: Named): string {
  return `${p.first_name} ${p.last_name}`.trim();
}

/** Sorted by last name, then first name, from the names themselves (a first name may have two words). */
const sortKey = (p: Named) => `${p.last_name} ${p.first_name}`.trim();

interface Filters {
  roleFilter: number | null;
  personFilter: number | null;
}

/** Everyone the week mentions (assignees, then the location's people), with a name and a sort key. */
export function peopleOf(current: WeekData | null) {
  const m = new Map<number, { name: string; sortKey: string }>();
  for (const s of current?.shifts ?? [])
    if (s.assignee) m.set(s.assignee.id, { name: personName(s.assignee), sortKey: sortKey(s.assignee) });
  for (const p of current?.people ?? []) m.set(p.id, { name: personName(p), sortKey: sortKey(p) });
  return m;
}

export function rowsOf(
  current: WeekData,
  visible: Shift[],
  known: Map<number, { name: string; sortKey: string }>,
  { roleFilter, personFilter }: Filters,
): Row[] {
  const withShifts = new Set(visible.map((s) => s.user_id));
  const people = (current.people ?? []).filter(
    (p) => roleFilter === null || p.role_ids.includes(roleFilter) || withShifts.has(p.id),
  );
  const out: Array<Row & { sortKey: string }> = people.map((p) => ({
    key: `u${p.id}`,
    userId: p.id,
    name: personName(p),
    sortKey: sortKey(p),
  }));
  const listed = new Set(people.map((p) => p.id));
  // People with shifts here who are not in the active list (deactivated, moved, or names unavailable).
  const extra = new Map<number, Row & { sortKey: string }>();
  for (const s of visible) {
    if (s.user_id === null || listed.has(s.user_id) || extra.has(s.user_id)) continue;
    const n = known.get(s.user_id);
    extra.set(s.user_id, {
      key: `u${s.user_id}`,
      userId: s.user_id,
      name: n?.name ?? `Name unavailable (#${s.user_id})`,
      sortKey: n?.sortKey ?? `Name unavailable (#${s.user_id})`,
      // Only say so when the people list was actually read.
      detail: n && current.people !== null ? 'Not active here' : undefined,
    });
  }
  out.push(...extra.values());
  out.sort((a, b) => a.sortKey.localeCompare(b.sortKey));
  const shown = personFilter === null ? out : out.filter((r) => r.userId === personFilter);
  const rows = shown.map(({ sortKey: _, ...row }) => row);
  return [{ key: 'open', userId: null, name: 'Open shifts', detail: 'Anyone can pick these up' }, ...rows];
}

function cellsOf(visible: Shift[], tz: string) {
  const m = new Map<string, Shift[]>();
  for (const s of visible) {
    const k = `${s.user_id ?? 'open'}|${dayKeyInZone(new Date(s.start), tz)}`;
    const list = m.get(k);
    if (list) list.push(s);
    else m.set(k, [s]);
  }
  for (const list of m.values()) list.sort((a, b) => a.start.localeCompare(b.start));
  return m;
}

function hoursOf(visible: Shift[]) {
  const m = new Map<number, number>();
  for (const s of visible) {
    if (s.user_id === null) continue;
    m.set(s.user_id, (m.get(s.user_id) ?? 0) + paidHours(s.start, s.end, s.break_minutes));
  }
  return m;
}

export function useBoardView(current: WeekData | null, filters: Filters, tz: string) {
  const { roleFilter, personFilter } = filters;
  const known = useMemo(() => peopleOf(current), [current]);
  const names = useMemo(() => new Map([...known].map(([id, p]) => [id, p.name])), [known]);
  const visibleShifts = useMemo(
    () =>
      (current?.shifts ?? []).filter(
        (s) =>
          (roleFilter === null || s.role_id === roleFilter) &&
          (personFilter === null || s.user_id === personFilter || s.user_id === null),
      ),
    [current, roleFilter, personFilter],
  );
  const rows = useMemo(
    () => (current ? rowsOf(current, visibleShifts, known, { roleFilter, personFilter }) : []),
    [current, visibleShifts, known, roleFilter, personFilter],
  );
  const personChoices = useMemo(
    () =>
      [...known.entries()]
        .sort(([, a], [, b]) => a.sortKey.localeCompare(b.sortKey))
        .map(([id, p]) => ({ value: id, label: p.name })),
    [known],
  );
  const byCell = useMemo(() => cellsOf(visibleShifts, tz), [visibleShifts, tz]);
  const hoursByUser = useMemo(() => hoursOf(visibleShifts), [visibleShifts]);
  const timeOffByCell = useMemo(() => timeOffCells(current?.timeOff ?? []), [current]);
  const availability = useMemo(() => windowsByUser(current?.availability ?? []), [current]);
  return {
    timeOffByCell,
    availability,
    names,
    visibleShifts,
    rows,
    personChoices,
    byCell,
    hoursByUser,
    draftCount: (current?.shifts ?? []).filter((s) => s.status === 'draft').length,
    openCount: visibleShifts.filter((s) => s.user_id === null).length,
  };
}

/** Whose day is time off: "userId|day" -> the approved or only requested time off (never a declined one). */
export function timeOffCells(timeOff: TimeOff[]): Map<string, TimeOff> {
  const cells = new Map<string, TimeOff>();
  for (const t of timeOff)
    for (let day = t.start_date; day <= t.end_date; day = addDays(day, 1)) {
      const key = `${t.user_id}|${day}`;
      // Approved wins over a second, merely requested, overlapping request.
      if (cells.get(key)?.status !== 'approved') cells.set(key, t);
    }
  return cells;
}
