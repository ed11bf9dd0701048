import { memo, useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { api, type Location, type Role, type Shift, type User } from '../api';
import { FilterSelect, nameOptions } from '../components/FilterSelect';
import { explainError } from '../errors';
import { setQuery } from '../router';
import { roleColor, roleName } from '../roles';
import {
  addDays,
  dayKeyInZone,
  formatDay,
  formatDayNumber,
  formatLongDay,
  formatTimeRange,
  formatWeekRange,
  formatWeekday,
  isDayKey,
  paidHours,
  weekDays,
  weekStart,
  weekWindow,
  toIso,
} from '../time';
import { ShiftDialog, type ShiftDialogTarget } from './ShiftDialog';

interface BoardData {
  key: string;
  roles: Role[];
  people: User[] | null;
  shifts: Shift[];
  degraded: boolean;
}

export interface Row {
  key: string;
  userId: number | null;
  name: string;
  detail?: string;
}

export function personName(p: { first_name: string; last_name: string }): string {
  return `${p.first_name} ${p.last_name}`.trim();
}

const LAST_LOCATION_KEY = 'shiftstack.location';
function safeGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function safeSet(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or storage full: remembering the location is a nicety.
  }
}

export function Board({ locations, search }: { locations: Location[]; search: URLSearchParams }) {
  // The location in the URL, else the one this browser used last, else the first.
  const requested = Number(search.get('location')) || Number(safeGet(LAST_LOCATION_KEY));
  const location = locations.find((l) => l.id === requested) ?? locations[0];
  useEffect(() => {
    if (location) safeSet(LAST_LOCATION_KEY, String(location.id));
  }, [location]);
  if (!location) {
    return (
      <section className="empty">
        <h1 tabIndex={-1}>Schedule</h1>
        <p>There are no locations yet. Locations are set up through the API (POST /api/v1/locations).</p>
      </section>
    );
  }
  return <WeekBoard key={location.id} location={location} locations={locations} search={search} />;
}

function WeekBoard({
  location,
  locations,
  search,
}: {
  location: Location;
  locations: Location[];
  search: URLSearchParams;
}) {
  const tz = location.timezone;
  const todayKey = dayKeyInZone(new Date(), tz);
  const weekParam = search.get('week');
  const weekKey = weekStart(isDayKey(weekParam) ? weekParam : todayKey);
  const days = useMemo(() => weekDays(weekKey), [weekKey]);
  const roleFilter = Number(search.get('role')) || null;
  // One person's week (their shifts plus the open ones they could pick up): what an employee reads.
  const personFilter = Number(search.get('person')) || null;

  const [data, setData] = useState<BoardData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reloadTick, setReloadTick] = useState(0);
  const [dialog, setDialog] = useState<ShiftDialogTarget | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [publishError, setPublishError] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);

  const loadKey = `${location.id}|${weekKey}|${reloadTick}`;
  useEffect(() => {
    const ctrl = new AbortController();
    const { start, end } = weekWindow(weekKey, tz);
    setLoadError(null);
    const shifts = api.shifts(
      { location_id: location.id, 'start[gte]': toIso(start), 'start[lt]': toIso(end), status: 'all' },
      ctrl.signal,
    );
    // Roles rarely change: keep the last list per location for when the users service is down.
    const rolesKey = `shiftstack.roles.${location.id}`;
    const roles = api.roles(location.id, ctrl.signal).then(
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
    const people = api.users({ location_id: location.id, status: 'active' }, ctrl.signal).then(
      (r) => r.data,
      (err: unknown) => {
        if ((err as Error).name === 'AbortError') throw err;
        return null;
      },
    );
    Promise.all([shifts, roles, people]).then(
      ([s, r, p]) => {
        r.sort((a, b) => a.name.localeCompare(b.name));
        setData({ key: loadKey, roles: r, people: p, shifts: s.data, degraded: s.degraded || p === null });
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
  const current = data && data.key.startsWith(`${location.id}|${weekKey}|`) ? data : null;
  const roles = current?.roles ?? data?.roles ?? [];

  const names = useMemo(() => {
    const m = new Map<number, string>();
    for (const s of current?.shifts ?? []) if (s.assignee) m.set(s.assignee.id, personName(s.assignee));
    for (const p of current?.people ?? []) m.set(p.id, personName(p));
    return m;
  }, [current]);

  const visibleShifts = useMemo(
    () =>
      (current?.shifts ?? []).filter(
        (s) =>
          (roleFilter === null || s.role_id === roleFilter) &&
          (personFilter === null || s.user_id === personFilter || s.user_id === null),
      ),
    [current, roleFilter, personFilter],
  );

  const rows = useMemo<Row[]>(() => {
    if (!current) return [];
    const withShifts = new Set(visibleShifts.map((s) => s.user_id));
    const people = (current.people ?? []).filter(
      (p) => roleFilter === null || p.role_ids.includes(roleFilter) || withShifts.has(p.id),
    );
    const out: Row[] = people.map((p) => ({ key: `u${p.id}`, userId: p.id, name: personName(p) }));
    const known = new Set(people.map((p) => p.id));
    // People with shifts here who are not in the active list (deactivated, moved, or names unavailable).
    const extra = new Map<number, Row>();
    for (const s of visibleShifts) {
      if (s.user_id === null || known.has(s.user_id) || extra.has(s.user_id)) continue;
      const n = names.get(s.user_id);
      extra.set(s.user_id, {
        key: `u${s.user_id}`,
        userId: s.user_id,
        name: n ?? `Name unavailable (#${s.user_id})`,
        // Only say so when the people list was actually read.
        detail: n && current.people !== null ? 'Not active here' : undefined,
      });
    }
    out.push(...extra.values());
    out.sort((a, b) => lastFirst(a.name).localeCompare(lastFirst(b.name)));
    const shown = personFilter === null ? out : out.filter((r) => r.userId === personFilter);
    return [{ key: 'open', userId: null, name: 'Open shifts', detail: 'Anyone can pick these up' }, ...shown];
  }, [current, visibleShifts, roleFilter, personFilter, names]);

  const personChoices = useMemo(
    () =>
      [...names.entries()]
        .map(([id, name]) => ({ value: id, label: name }))
        .sort((a, b) => lastFirst(a.label).localeCompare(lastFirst(b.label))),
    [names],
  );

  const byCell = useMemo(() => {
    const m = new Map<string, Shift[]>();
    for (const s of visibleShifts) {
      const k = `${s.user_id ?? 'open'}|${dayKeyInZone(new Date(s.start), tz)}`;
      const list = m.get(k);
      if (list) list.push(s);
      else m.set(k, [s]);
    }
    for (const list of m.values()) list.sort((a, b) => a.start.localeCompare(b.start));
    return m;
  }, [visibleShifts, tz]);

  const hoursByUser = useMemo(() => {
    const m = new Map<number, number>();
    for (const s of visibleShifts) {
      if (s.user_id === null) continue;
      m.set(s.user_id, (m.get(s.user_id) ?? 0) + paidHours(s.start, s.end, s.break_minutes));
    }
    return m;
  }, [visibleShifts]);

  const draftCount = (current?.shifts ?? []).filter((s) => s.status === 'draft').length;
  const openCount = visibleShifts.filter((s) => s.user_id === null).length;

  const goWeek = (key: string) => {
    setAnnouncement('');
    setPublishError(null);
    setQuery({ week: key === weekStart(todayKey) ? null : key });
  };

  const publish = async () => {
    setPublishError(null);
    setPublishing(true);
    const { start, end } = weekWindow(weekKey, tz);
    try {
      const result = await api.publish({ location_id: location.id, start: toIso(start), end: toIso(end) });
      setAnnouncement(
        result.published_count === 0
          ? 'Nothing to publish: every shift this week is already published.'
          : `Published ${result.published_count} ${result.published_count === 1 ? 'shift' : 'shifts'}. Everyone can now see the week of ${formatWeekRange(weekKey)}.`,
      );
      reload();
    } catch (err) {
      setPublishError(explainError(err, { action: 'publish the week' }).message);
    } finally {
      setPublishing(false);
    }
  };

  const onSaved = (message: string) => {
    setDialog(null);
    setAnnouncement(message);
    reload();
  };

  return (
    <section className="board-page" aria-labelledby="board-title">
      <div className="page-head">
        <h1 id="board-title" ref={headingRef} tabIndex={-1}>
          <span className="visually-hidden">Schedule for </span>
          {formatWeekRange(weekKey)}
        </h1>
        <div className="toolbar">
          <FilterSelect
            id="board-location"
            label="Location"
            value={location.id}
            options={nameOptions(locations)}
            onChange={(v) => setQuery({ location: v, role: null, person: null })}
          />
          <div className="week-nav" role="group" aria-label="Week">
            <button type="button" className="button" onClick={() => goWeek(addDays(weekKey, -7))}>
              <span aria-hidden="true">‹ </span>Previous<span className="visually-hidden"> week</span>
            </button>
            <button
              type="button"
              className="button"
              onClick={() => goWeek(weekStart(todayKey))}
              aria-pressed={weekKey === weekStart(todayKey)}
            >
              Today
            </button>
            <button type="button" className="button" onClick={() => goWeek(addDays(weekKey, 7))}>
              Next<span className="visually-hidden"> week</span>
              <span aria-hidden="true"> ›</span>
            </button>
          </div>
          <FilterSelect
            id="board-role"
            label="Role"
            value={roleFilter ?? ''}
            allLabel="All roles"
            options={nameOptions(roles)}
            onChange={(v) => setQuery({ role: v || null })}
          />
          <FilterSelect
            id="board-person"
            label="Person"
            value={personFilter ?? ''}
            allLabel="Everyone"
            options={personChoices}
            onChange={(v) => setQuery({ person: v || null })}
          />
          <div className="publish">
            <button
              type="button"
              className="button primary"
              onClick={() => void publish()}
              disabled={publishing || !current}
              aria-describedby={publishError ? 'publish-error' : undefined}
            >
              {publishing
                ? 'Publishing…'
                : draftCount > 0
                  ? `Publish week (${draftCount} drafts)`
                  : 'Publish week'}
            </button>
          </div>
        </div>
        <p className="tz-note">
          Times in {location.name}&apos;s time zone ({tz.replace(/_/g, ' ')}).
          {current ? (
            <>
              {' '}
              {visibleShifts.length} {visibleShifts.length === 1 ? 'shift' : 'shifts'}, {draftCount}{' '}
              {draftCount === 1 ? 'draft' : 'drafts'}, {openCount} open.
            </>
          ) : null}{' '}
          <span className="tip">
            Choose an empty cell to add a shift, or a shift to change, move, assign or delete it. New shifts
            are drafts until you publish the week.
          </span>
        </p>
        {publishError ? (
          <p className="inline-error" id="publish-error" role="alert">
            {publishError}
          </p>
        ) : null}
        <p className="announce" role="status" aria-live="polite">
          {announcement}
        </p>
      </div>

      {current?.degraded ? (
        <div className="notice notice-warn" role="status">
          <strong>Some names may be missing.</strong> The people service isn&apos;t answering right now, so
          names may be missing or out of date and you can&apos;t assign people. The shifts themselves are up
          to date; reload in a minute.
        </div>
      ) : null}

      {loadError ? (
        <div className="notice notice-error" role="alert">
          <p>{loadError}</p>
          <button type="button" className="button" onClick={reload}>
            Try again
          </button>
        </div>
      ) : !current ? (
        <p className="loading" role="status" aria-live="polite">
          Loading the schedule…
        </p>
      ) : (
        <>
          {visibleShifts.length === 0 ? (
            <p className="empty-hint">
              {roleFilter
                ? `No ${roleName(roleFilter, roles)} shifts this week.`
                : 'No shifts this week yet. Choose an empty cell to add the first one.'}
            </p>
          ) : null}
          {rows.length === 1 && !current.degraded ? (
            <p className="empty-hint">
              Nobody works at {location.name} yet. Add people on the <a href="/people">People page</a>.
            </p>
          ) : null}
          <BoardGrid
            rows={rows}
            days={days}
            todayKey={todayKey}
            byCell={byCell}
            roles={roles}
            tz={tz}
            hoursByUser={hoursByUser}
            label={`Shifts, week of ${formatWeekRange(weekKey)}`}
            onPick={setDialog}
          />
          <Legend roles={roles} />
        </>
      )}

      {dialog && current ? (
        <ShiftDialog
          target={dialog}
          location={location}
          roles={roles}
          people={current.people ?? []}
          names={names}
          peopleUnavailable={current.people === null}
          defaultRoleId={roleFilter}
          onClose={() => setDialog(null)}
          onSaved={onSaved}
        />
      ) : null}
    </section>
  );
}

interface GridProps {
  rows: Row[];
  days: string[];
  todayKey: string;
  byCell: Map<string, Shift[]>;
  roles: Role[];
  tz: string;
  hoursByUser: Map<number, number>;
  label: string;
  onPick: (target: ShiftDialogTarget) => void;
}

/** The grid itself, memoised so opening a dialog or typing in it does not re-render 350 shift blocks. */
const BoardGrid = memo(function BoardGrid({
  rows,
  days,
  todayKey,
  byCell,
  roles,
  tz,
  hoursByUser,
  label,
  onPick,
}: GridProps) {
  const longDays = useMemo(() => new Map(days.map((d) => [d, formatLongDay(d)])), [days]);
  const shortDays = useMemo(() => new Map(days.map((d) => [d, formatDay(d)])), [days]);
  return (
    <div className="board-scroll" role="region" aria-label="Week board" tabIndex={0}>
      <div className="board" role="table" aria-label={label}>
        <div className="board-row board-header" role="row">
          <div className="board-corner" role="columnheader">
            Person
          </div>
          {days.map((d) => (
            <div
              key={d}
              role="columnheader"
              className={d === todayKey ? 'day-head today' : 'day-head'}
              aria-current={d === todayKey ? 'date' : undefined}
            >
              <span className="weekday">{formatWeekday(d)}</span>{' '}
              <span className="daynum">{formatDayNumber(d)}</span>
              {d === todayKey ? <span className="today-tag">Today</span> : null}
            </div>
          ))}
        </div>
        {rows.map((row) => (
          <div key={row.key} role="row" className={row.userId === null ? 'board-row open-row' : 'board-row'}>
            <div role="rowheader" className="row-head">
              <span className="row-name">{row.name}</span>
              <span className="row-detail">
                {row.userId === null
                  ? row.detail
                  : `${formatHours(hoursByUser.get(row.userId) ?? 0)}${row.detail ? ` · ${row.detail}` : ''}`}
              </span>
            </div>
            {days.map((d) => {
              const list = byCell.get(`${row.userId ?? 'open'}|${d}`) ?? [];
              return (
                <div key={d} role="cell" className={d === todayKey ? 'cell today' : 'cell'}>
                  {list.map((s) => (
                    <ShiftBlock
                      key={s.id}
                      shift={s}
                      tz={tz}
                      roles={roles}
                      who={row.name}
                      day={shortDays.get(d) ?? d}
                      onOpen={() => onPick({ kind: 'edit', shift: s })}
                    />
                  ))}
                  {/* The "+" is drawn by CSS: one node per cell instead of five keeps a 50 x 7 board light. */}
                  <button
                    type="button"
                    className={list.length ? 'add add-small' : 'add'}
                    onClick={() => onPick({ kind: 'create', userId: row.userId, day: d })}
                    aria-label={`Add ${row.userId === null ? 'an open shift' : `a shift for ${row.name}`} on ${longDays.get(d) ?? d}`}
                  />
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
});

function lastFirst(name: string): string {
  const parts = name.split(' ');
  return `${parts.slice(1).join(' ')} ${parts[0] ?? ''}`;
}

function formatHours(h: number): string {
  if (h === 0) return 'No hours';
  const rounded = Math.round(h * 10) / 10;
  return `${rounded} h`;
}

function ShiftBlock({
  shift,
  tz,
  roles,
  who,
  day,
  onOpen,
}: {
  day: string;
  shift: Shift;
  tz: string;
  roles: Role[];
  who: string;
  onOpen: () => void;
}) {
  const time = formatTimeRange(shift.start, shift.end, tz);
  const role = roleName(shift.role_id, roles);
  const draft = shift.status === 'draft';
  return (
    <button
      type="button"
      className={draft ? 'shift draft' : 'shift'}
      style={{ '--role': roleColor(shift.role_id, roles) } as CSSProperties}
      onClick={onOpen}
      title={shift.notes ?? undefined}
      // Who and when first, then every visible word in order (so speech input can say what it sees).
      aria-label={`${who}, ${day}, ${time} ${role} ${draft ? 'Draft' : 'Published'}`}
    >
      <span className="shift-time">{time}</span> <span className="shift-role">{role}</span>
      {draft ? (
        <>
          {' '}
          <span className="draft-tag">Draft</span>
        </>
      ) : null}
    </button>
  );
}

function Legend({ roles }: { roles: Role[] }) {
  return (
    <div className="legend" aria-label="Legend">
      {roles.map((r) => (
        <span
          key={r.id}
          className="legend-item"
          style={{ '--role': roleColor(r.id, roles) } as CSSProperties}
        >
          <span className="chip" aria-hidden="true" />
          {r.name}
        </span>
      ))}
      <span className="legend-item">
        <span className="sample draft" aria-hidden="true" />
        Draft (not visible to staff yet)
      </span>
      <span className="legend-item">
        <span className="sample" aria-hidden="true" />
        Published
      </span>
    </div>
  );
}
