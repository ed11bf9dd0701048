import { memo, useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { managesLocation } from '@shiftstack/contract/permissions';
import { api, type Location, type Me, type Role, type Shift, type User } from '../api';
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
import { Dialog } from '../components/Dialog';
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

export function Board({ locations, search, me }: { locations: Location[]; search: URLSearchParams; me: Me }) {
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
  return <WeekBoard key={location.id} location={location} locations={locations} search={search} me={me} />;
}

function WeekBoard({
  location,
  locations,
  search,
  me,
}: {
  location: Location;
  locations: Location[];
  search: URLSearchParams;
  me: Me;
}) {
  // Only those who run this location see the controls to change it; employees read their own week.
  const canManage = managesLocation({ kind: 'person', ...me }, location.id);
  const tz = location.timezone;
  const todayKey = dayKeyInZone(new Date(), tz);
  const weekParam = search.get('week');
  const weekKey = weekStart(isDayKey(weekParam) ? weekParam : todayKey);
  const days = useMemo(() => weekDays(weekKey), [weekKey]);
  const roleFilter = Number(search.get('role')) || null;
  // One person's week (their shifts plus the open ones they could pick up): what an employee reads.
  const personFilter = canManage ? Number(search.get('person')) || null : me.id;

  const [data, setData] = useState<BoardData | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reloadTick, setReloadTick] = useState(0);
  const [dialog, setDialog] = useState<ShiftDialogTarget | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [publishError, setPublishError] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [confirmPublish, setConfirmPublish] = useState(false);
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
    setConfirmPublish(false);
    setPublishError(null);
    setPublishing(true);
    const { start, end } = weekWindow(weekKey, tz);
    try {
      const result = await api.publish({ location_id: location.id, start: toIso(start), end: toIso(end) });
      setAnnouncement(
        result.published_count === 0
          ? 'Nothing to publish: every shift this week is already published.'
          : `Published ${result.published_count} ${result.published_count === 1 ? 'shift' : 'shifts'}. Everyone can now see the week of ${formatWeekRange(weekKey)}.${
              result.held_back_shift_ids.length > 0
                ? ` ${result.held_back_shift_ids.length} stayed drafts: they belong to someone who is no longer active. Reassign them, then publish again.`
                : ''
            }`,
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
          {canManage ? (
            <FilterSelect
              id="board-person"
              label="Person"
              value={personFilter ?? ''}
              allLabel="Everyone"
              options={personChoices}
              onChange={(v) => setQuery({ person: v || null })}
            />
          ) : null}
          {canManage ? (
            <div className="publish">
              <button
                type="button"
                className="button primary"
                onClick={() => setConfirmPublish(true)}
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
          ) : null}
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
          {canManage ? (
            <span className="tip">
              Choose an empty cell to add a shift, or a shift to change, move, assign or delete it. New shifts
              are drafts until you publish the week.
            </span>
          ) : (
            <span className="tip">Your shifts this week, and the open shifts you could pick up.</span>
          )}
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
            onPick={canManage ? setDialog : null}
          />
          <Legend roles={roles} />
        </>
      )}

      {confirmPublish && current ? (
        <PublishSummary
          drafts={current.shifts.filter((s) => s.status === 'draft' && s.deleted_at === null)}
          names={names}
          week={formatWeekRange(weekKey)}
          onPublish={() => void publish()}
          onClose={() => setConfirmPublish(false)}
        />
      ) : null}

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
  /** null: read only (no add buttons, shifts not editable). */
  onPick: ((target: ShiftDialogTarget) => void) | null;
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
                      onOpen={onPick ? () => onPick({ kind: 'edit', shift: s }) : null}
                    />
                  ))}
                  {/* The "+" is drawn by CSS: one node per cell instead of five keeps a 50 x 7 board light. */}
                  {onPick ? (
                    <button
                      type="button"
                      className={list.length ? 'add add-small' : 'add'}
                      onClick={() => onPick({ kind: 'create', userId: row.userId, day: d })}
                      aria-label={`Add ${row.userId === null ? 'an open shift' : `a shift for ${row.name}`} on ${longDays.get(d) ?? d}`}
                    />
                  ) : null}
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
  /** null: shown, not editable. */
  onOpen: (() => void) | null;
}) {
  const time = formatTimeRange(shift.start, shift.end, tz);
  const role = roleName(shift.role_id, roles);
  const draft = shift.status === 'draft';
  const content = (
    <>
      <span className="shift-time">{time}</span> <span className="shift-role">{role}</span>
      {draft ? (
        <>
          {' '}
          <span className="draft-tag">Draft</span>
        </>
      ) : null}
    </>
  );
  const style = { '--role': roleColor(shift.role_id, roles) } as CSSProperties;
  // Who and when first, then every visible word in order (so speech input can say what it sees).
  const label = `${who}, ${day}, ${time} ${role} ${draft ? 'Draft' : 'Published'}`;
  if (!onOpen)
    return (
      <div className="shift" style={style} title={shift.notes ?? undefined} role="note" aria-label={label}>
        {content}
      </div>
    );
  return (
    <button
      type="button"
      className={draft ? 'shift draft' : 'shift'}
      style={style}
      onClick={onOpen}
      title={shift.notes ?? undefined}
      aria-label={label}
    >
      {content}
    </button>
  );
}

/** What publishing will do, before it does it: how many shifts, for whom, and how many are open. */
function PublishSummary({
  drafts,
  names,
  week,
  onPublish,
  onClose,
}: {
  drafts: Shift[];
  names: Map<number, string>;
  week: string;
  onPublish: () => void;
  onClose: () => void;
}) {
  const perPerson = new Map<string, number>();
  let open = 0;
  for (const s of drafts) {
    if (s.user_id === null) open++;
    else {
      const name = names.get(s.user_id) ?? `Person ${s.user_id}`;
      perPerson.set(name, (perPerson.get(name) ?? 0) + 1);
    }
  }
  const people = [...perPerson].sort(([a], [b]) => a.localeCompare(b));
  return (
    <Dialog title={`Publish the week of ${week}?`} onClose={onClose}>
      {drafts.length === 0 ? (
        <p>There are no drafts this week: everything is already published.</p>
      ) : (
        <>
          <p>
            {drafts.length} draft {drafts.length === 1 ? 'shift' : 'shifts'} will become visible to staff:{' '}
            {people.length} {people.length === 1 ? 'person' : 'people'}
            {open > 0 ? `, and ${open} open ${open === 1 ? 'shift' : 'shifts'} nobody has yet` : ''}.
          </p>
          <ul className="publish-summary">
            {people.map(([name, n]) => (
              <li key={name}>
                {name}: {n} {n === 1 ? 'shift' : 'shifts'}
              </li>
            ))}
            {open > 0 ? <li>Open: {open}</li> : null}
          </ul>
        </>
      )}
      <div className="actions">
        <button
          type="button"
          className="button primary"
          onClick={onPublish}
          disabled={drafts.length === 0}
          data-autofocus
        >
          Publish {drafts.length} {drafts.length === 1 ? 'shift' : 'shifts'}
        </button>
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
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
