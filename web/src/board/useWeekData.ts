// The week's data for one location: shifts, roles, people, their time off and availability, loaded
// together, reloaded on demand, and kept on screen while the next week loads. Roles rarely change, so the
// last list per location is kept for when the users service is down; without people (users down) the board
// still shows the shifts, degraded.
import { useCallback, useEffect, useState } from 'react';
import type { Availability, TimeOff } from '@shiftstack/contract';
import { api, type Location, type Role, type Shift, type User } from '../api';
import { explainError } from '../errors';
import { addDays, toIso, weekWindow } from '../time';
import { safeGet, safeSet } from './storage';

export interface WeekData {
  key: string;
  roles: Role[];
  people: User[] | null;
  shifts: Shift[];
  /** Approved and requested time off of the location's people that week (none when users is down). */
  timeOff: TimeOff[];
  /** The weekly availability of the location's people (employees: their own; none when users is down). */
  availability: Availability[];
  degraded: boolean;
}

/** What a part the board can do without gives when it cannot be read; leaving the week still aborts. */
const unlessAborted =
  <T>(fallback: T) =>
  (err: unknown): T => {
    if ((err as Error).name === 'AbortError') throw err;
    return fallback;
  };

function loadWeek(location: Location, weekKey: string, signal: AbortSignal) {
  const { start, end } = weekWindow(weekKey, location.timezone);
  const shifts = api.shifts(
    { location_id: location.id, 'start[gte]': toIso(start), 'start[lt]': toIso(end), status: 'all' },
    signal,
  );
  const rolesKey = `shiftstack.roles.${location.id}`;
  const roles = api.roles(location.id, signal).then(
    (r) => {
      safeSet(rolesKey, JSON.stringify(r.data));
      return r.data;
    },
    () => {
      try {
        return JSON.parse(safeGet(rolesKey) ?? '[]') as Role[];
      } catch {
        return [] as Role[];
      }
    },
  );
  const people = api
    .users({ location_id: location.id, status: 'active' }, signal)
    .then((r) => r.data, unlessAborted<User[] | null>(null));
  const timeOff = api
    .timeOff({ location_id: location.id, from: weekKey, to: addDays(weekKey, 6) }, signal)
    .then((r) => r.data.filter((t) => t.status !== 'declined'), unlessAborted<TimeOff[]>([]));
  const availability = api.availabilityAt(location.id, signal).catch(unlessAborted<Availability[]>([]));
  return Promise.all([shifts, roles, people, timeOff, availability]);
}

export function useWeekData(location: Location, weekKey: string) {
  const [data, setData] = useState<WeekData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reloadTick, setReloadTick] = useState(0);
  const loadKey = `${location.id}|${weekKey}|${reloadTick}`;
  useEffect(() => {
    const ctrl = new AbortController();
    setLoadError(null);
    loadWeek(location, weekKey, ctrl.signal).then(
      ([s, r, p, off, availability]) => {
        r.sort((a, b) => a.name.localeCompare(b.name));
        const degraded = s.degraded || p === null;
        setData({ key: loadKey, roles: r, people: p, shifts: s.data, timeOff: off, availability, degraded });
      },
      (err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        setLoadError(explainError(err, { action: 'load the schedule' }).message);
      },
    );
    return () => ctrl.abort();
    // loadKey covers location, week and reloads.
  }, [loadKey]);
  const reload = useCallback(() => setReloadTick((t) => t + 1), []);
  // This week's data once loaded (a reload keeps showing it); the last roles meanwhile, for the filter.
  const current = data && data.key.startsWith(`${location.id}|${weekKey}|`) ? data : null;
  return { current, roles: current?.roles ?? data?.roles ?? [], loadError, reload };
}
