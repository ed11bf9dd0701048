import { memo, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { managesLocation } from '@shiftstack/contract/permissions';
import type { TimeOff } from '@shiftstack/contract';
import type { Location, Me, Role, Shift } from '../api';
import { FormError } from '../components/Dialog';
import { setQuery } from '../router';
import { roleColor, roleName } from '../roles';
import {
  dayKeyInZone,
  formatDay,
  formatDayNumber,
  formatLongDay,
  formatTimeRange,
  formatWeekRange,
  formatWeekday,
  isDayKey,
  weekDays,
  weekStart,
} from '../time';
import { dayNote, isOutside, type WindowsByUser } from './availability';
import { BoardHead } from './BoardHead';
import { BoardDialogs, type OpenDialog } from './BoardDialogs';
import { BoardDnd, DraggableShift, DropCell, cellId, justDragged } from './DragAndDrop';
import { DegradedNotice, EmptyHints, LoadState } from './WeekNotices';
import type { ShiftDialogTarget } from './ShiftDialog';
import { safeGet, safeSet } from './storage';
import { usePublish } from './usePublish';
import { useWeekData } from './useWeekData';
import { useShiftMoves } from './useShiftMoves';
import { useBoardView, type Row } from './view';

const LAST_LOCATION_KEY = 'shiftstack.location';

export function Board({
  locations,
  search,
  me,
  onLocationSaved,
}: {
  locations: Location[];
  search: URLSearchParams;
  me: Me;
  /** A location changed here (its work rules): the app's list takes the saved one. */
  onLocationSaved: (location: Location) => void;
}) {
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
  return (
    <WeekBoard
      key={location.id}
      location={location}
      locations={locations}
      search={search}
      me={me}
      onLocationSaved={onLocationSaved}
    />
  );
}

interface WeekBoardProps {
  location: Location;
  locations: Location[];
  search: URLSearchParams;
  me: Me;
  onLocationSaved: (location: Location) => void;
}

function WeekBoard({ location, locations, search, me, onLocationSaved }: WeekBoardProps) {
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

  const { current, roles, loadError, reload } = useWeekData(location, weekKey);
  const publishing = usePublish(location, weekKey, reload);
  const names = useRef(new Map<number, string>());
  const moves = useShiftMoves({
    tz,
    current,
    nameOf: (id) => names.current.get(id),
    announce: publishing.setAnnouncement,
    reload,
  });
  // A move being saved is drawn where it was dropped.
  const shown = useMemo(
    () => (current && moves.pending ? { ...current, shifts: moves.withPending(current.shifts) } : current),
    [current, moves.pending],
  );
  const view = useBoardView(shown, { roleFilter, personFilter }, tz);
  names.current = view.names;
  const [open, setOpen] = useState<OpenDialog>(null);
  // Time off asked from this week starts on its first day still to come.
  const firstDay = todayKey > weekKey ? todayKey : weekKey;
  const headingRef = useRef<HTMLHeadingElement>(null);

  const goWeek = (key: string) => {
    publishing.clearMessages();
    moves.clearMoveError();
    setQuery({ week: key === weekStart(todayKey) ? null : key });
  };
  const saveRules = (saved: Location, message: string) => {
    onLocationSaved(saved);
    publishing.setAnnouncement(message);
  };
  const onSaved = (message: string) => {
    setOpen(null);
    publishing.setAnnouncement(message);
    reload();
  };

  const grid = (
    <BoardGrid
      rows={view.rows}
      days={days}
      todayKey={todayKey}
      byCell={view.byCell}
      roles={roles}
      tz={tz}
      hoursByUser={view.hoursByUser}
      timeOffByCell={view.timeOffByCell}
      onTimeOff={
        canManage
          ? (request, who) => setOpen({ kind: 'time-off', target: { kind: 'decide', request, who } })
          : null
      }
      overtimeHours={location.overtime_hours_per_week}
      availability={view.availability}
      personActions={personActions({ canManage, me, setOpen, firstDay })}
      label={`Shifts, week of ${formatWeekRange(weekKey)}`}
      onPick={canManage ? (target) => setOpen({ kind: 'shift', target }) : null}
    />
  );

  return (
    <section className="board-page" aria-labelledby="board-title">
      <BoardHead
        location={location}
        locations={locations}
        weekKey={weekKey}
        todayKey={todayKey}
        roles={roles}
        roleFilter={roleFilter}
        personFilter={personFilter}
        personChoices={view.personChoices}
        canManage={canManage}
        counts={
          current
            ? { shifts: view.visibleShifts.length, drafts: view.draftCount, open: view.openCount }
            : null
        }
        publishing={publishing.publishing}
        publishError={publishing.publishError}
        announcement={publishing.announcement}
        headingRef={headingRef}
        goWeek={goWeek}
        askToPublish={publishing.askToPublish}
        copyWeek={() => setOpen({ kind: 'copy' })}
        onRulesSaved={me.access === 'admin' ? (saved, message) => saveRules(saved, message) : null}
        askTimeOff={() => setOpen({ kind: 'time-off', target: { kind: 'ask', day: firstDay } })}
      />

      {current?.degraded ? <DegradedNotice /> : null}
      <LoadState loadError={loadError} loaded={!!current} reload={reload}>
        <EmptyHints
          noShifts={view.visibleShifts.length === 0}
          nobody={view.rows.length === 1 && !current?.degraded}
          roleFilter={roleFilter}
          roles={roles}
          location={location}
        />
        <FormError message={moves.moveError} />
        {canManage ? (
          <BoardDnd onMove={(shift, target) => void moves.move(shift, target)}>{grid}</BoardDnd>
        ) : (
          grid
        )}
        <Legend roles={roles} />
      </LoadState>

      <BoardDialogs
        open={open}
        close={() => setOpen(null)}
        onSaved={onSaved}
        location={location}
        roles={roles}
        weekKey={weekKey}
        week={current}
        names={view.names}
        availability={view.availability}
        defaultRoleId={roleFilter}
        publishing={publishing}
      />
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
  /** "userId|day" -> approved or requested time off. */
  timeOffByCell: Map<string, TimeOff>;
  /** null: time off is only shown; otherwise what was asked can be decided. */
  onTimeOff: ((request: TimeOff, who: string) => void) | null;
  /** The location's overtime line: a person's row says when their week goes past it. */
  overtimeHours: number;
  /** People's weekly availability: their days say when they can work, shifts outside it are tagged. */
  availability: WindowsByUser;
  /** What the viewer may open from a person's row (their availability, time off for them). */
  personActions: PersonActions;
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
  timeOffByCell,
  onTimeOff,
  overtimeHours,
  availability,
  personActions,
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
            <RowHead
              row={row}
              hours={row.userId === null ? 0 : (hoursByUser.get(row.userId) ?? 0)}
              overtimeHours={overtimeHours}
              actions={row.userId === null ? [] : personActions(row.userId, row.name)}
            />
            {days.map((d) => {
              const list = byCell.get(`${row.userId ?? 'open'}|${d}`) ?? [];
              const note = row.userId === null ? null : dayNote(availability.get(row.userId), d);
              const className = `cell${d === todayKey ? ' today' : ''}${note === 'Unavailable' ? ' unavailable' : ''}`;
              const off = row.userId === null ? undefined : timeOffByCell.get(`${row.userId}|${d}`);
              const content = (
                <>
                  {note ? <span className="availability-note">{note}</span> : null}
                  {off ? <TimeOffTag off={off} who={row.name} onDecide={onTimeOff} /> : null}
                  {list.map((s) => (
                    <ShiftBlock
                      key={s.id}
                      shift={s}
                      tz={tz}
                      roles={roles}
                      who={row.name}
                      day={shortDays.get(d) ?? d}
                      outside={isOutside(s, availability, tz)}
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
                </>
              );
              if (!onPick)
                return (
                  <div key={d} role="cell" className={className}>
                    {content}
                  </div>
                );
              const label = `${row.userId === null ? 'Open shifts' : row.name}, ${longDays.get(d) ?? d}${note ? ` (${note.toLowerCase()})` : ''}`;
              return (
                <DropCell key={d} target={{ userId: row.userId, day: d, label }} className={className}>
                  {content}
                </DropCell>
              );
            })}
          </div>
        ))}
      </div>
    </div>
  );
});

interface PersonAction {
  label: string;
  open: () => void;
}
type PersonActions = (userId: number, who: string) => PersonAction[];

/**
 * What a row offers: a person's availability to themselves and to those who run the location; recording
 * time off for anyone to the latter (approved at once, unless it is their own).
 */
function personActions({
  canManage,
  me,
  setOpen,
  firstDay,
}: {
  canManage: boolean;
  me: Me;
  setOpen: (open: OpenDialog) => void;
  firstDay: string;
}): PersonActions {
  return (userId, who) => [
    ...(canManage || userId === me.id
      ? [{ label: 'Availability', open: () => setOpen({ kind: 'availability', target: { userId, who } }) }]
      : []),
    ...(canManage
      ? [
          {
            label: 'Time off…',
            open: () =>
              setOpen({
                kind: 'time-off',
                target: {
                  kind: 'ask',
                  day: firstDay,
                  person: { id: userId, name: who, self: userId === me.id },
                },
              }),
          },
        ]
      : []),
  ];
}

/** A row's first cell: who, their hours that week (and past the overtime line), their availability. */
function RowHead({
  row,
  hours,
  overtimeHours,
  actions,
}: {
  row: Row;
  hours: number;
  overtimeHours: number;
  actions: PersonAction[];
}) {
  const { userId } = row;
  return (
    <div role="rowheader" className="row-head">
      <span className="row-name">{row.name}</span>
      <span className="row-detail">
        {userId === null ? row.detail : `${formatHours(hours)}${row.detail ? ` · ${row.detail}` : ''}`}
      </span>
      {userId !== null && hours > overtimeHours ? (
        <span className="row-warning">Over {overtimeHours} h</span>
      ) : null}
      {actions.length > 0 ? (
        <span className="row-links">
          {actions.map((a) => (
            <button key={a.label} type="button" className="row-link" onClick={a.open}>
              {a.label}
            </button>
          ))}
        </span>
      ) : null}
    </div>
  );
}

/** A day of time off in a person's row; what was only asked is a button for those who may decide it. */
function TimeOffTag({
  off,
  who,
  onDecide,
}: {
  off: TimeOff;
  who: string;
  onDecide: ((request: TimeOff, who: string) => void) | null;
}) {
  if (off.status === 'approved') return <span className="time-off">Time off</span>;
  if (!onDecide) return <span className="time-off asked">Time off asked</span>;
  return (
    <button
      type="button"
      className="time-off asked"
      onClick={() => onDecide(off, who)}
      aria-label={`Time off asked by ${who}: approve or decline`}
    >
      Time off asked
    </button>
  );
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
  outside,
  onOpen,
}: {
  day: string;
  shift: Shift;
  /** Given to someone outside the availability they gave (allowed; the publish summary warns too). */
  outside: boolean;
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
      {outside ? (
        <>
          {' '}
          <span className="outside-tag">Outside availability</span>
        </>
      ) : null}
    </>
  );
  const style = { '--role': roleColor(shift.role_id, roles) } as CSSProperties;
  // Who and when first, then every visible word in order (so speech input can say what it sees).
  const label = `${who}, ${day}, ${time} ${role} ${draft ? 'Draft' : 'Published'}${outside ? ' Outside availability' : ''}`;
  if (!onOpen)
    return (
      <div className="shift" style={style} title={shift.notes ?? undefined} role="note" aria-label={label}>
        {content}
      </div>
    );
  return (
    <DraggableShift
      item={{ shift, label, from: cellId(shift.user_id, dayKeyInZone(new Date(shift.start), tz)) }}
    >
      {(drag, dragging) => (
        <button
          type="button"
          {...drag}
          className={`${draft ? 'shift draft' : 'shift'}${dragging ? ' shift-lifted' : ''}`}
          style={style}
          onClick={() => {
            if (!justDragged()) onOpen();
          }}
          title={shift.notes ?? undefined}
          aria-label={label}
        >
          {content}
        </button>
      )}
    </DraggableShift>
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
