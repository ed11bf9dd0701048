import { useId, useState, type FormEvent } from 'react';
import { MAX_SHIFT_HOURS, type ShiftPatch } from '@shiftstack/contract';
import { api, type Location, type Role, type Shift, type User } from '../api';
import { Dialog, Field, describedBy } from '../components/Dialog';
import { nameOptions } from '../components/FilterSelect';
import { SelectField, TextField } from '../components/FormFields';
import { explainError, type Explained } from '../errors';
import { dayNote, isOutside, type WindowsByUser } from './availability';
import {
  dayKeyInZone,
  formatDay,
  formatLongDay,
  formatTimeRange,
  shiftInstants,
  timeInZone,
  toIso,
} from '../time';

export type ShiftDialogTarget =
  { kind: 'create'; userId: number | null; day: string } | { kind: 'edit'; shift: Shift };

interface Props {
  target: ShiftDialogTarget;
  location: Location;
  roles: Role[];
  people: User[];
  names: Map<number, string>;
  /** People's weekly availability: a shift outside it is allowed, with a hint. */
  availability: WindowsByUser;
  peopleUnavailable: boolean;
  defaultRoleId: number | null;
  onClose: () => void;
  onSaved: (message: string) => void;
}

interface FormState {
  userId: string;
  roleId: string;
  day: string;
  startTime: string;
  endTime: string;
  breakMinutes: string;
  notes: string;
}

function initialState(
  target: ShiftDialogTarget,
  tz: string,
  people: User[],
  roles: Role[],
  roleId: number | null,
) {
  if (target.kind === 'edit') {
    const s = target.shift;
    return {
      userId: s.user_id === null ? '' : String(s.user_id),
      roleId: s.role_id === null ? '' : String(s.role_id),
      day: dayKeyInZone(new Date(s.start), tz),
      startTime: timeInZone(new Date(s.start), tz),
      endTime: timeInZone(new Date(s.end), tz),
      breakMinutes: String(s.break_minutes),
      notes: s.notes ?? '',
    };
  }
  const person = people.find((p) => p.id === target.userId);
  const personRole = person?.role_ids.find((id) => roles.some((r) => r.id === id));
  const role = roleId ?? personRole ?? roles[0]?.id ?? null;
  return {
    userId: target.userId === null ? '' : String(target.userId),
    roleId: role === null ? '' : String(role),
    day: target.day,
    startTime: '09:00',
    endTime: '17:00',
    breakMinutes: '30',
    notes: '',
  };
}

export function ShiftDialog({
  target,
  location,
  roles,
  people,
  names,
  availability,
  peopleUnavailable,
  defaultRoleId,
  onClose,
  onSaved,
}: Props) {
  const tz = location.timezone;
  const id = useId();
  const [form, setForm] = useState<FormState>(() => initialState(target, tz, people, roles, defaultRoleId));
  const [error, setError] = useState<Explained | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const editing = target.kind === 'edit' ? target.shift : null;

  const set = (k: keyof FormState) => (e: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [k]: e.target.value }));
  };
  const nameOf = (uid: number) => names.get(uid);

  // Active people here, plus the current assignee if they are no longer in that list.
  const options = people.map((p) => ({ value: p.id, label: `${p.first_name} ${p.last_name}` }));
  if (editing?.user_id != null && !options.some((o) => o.value === editing.user_id)) {
    options.push({
      value: editing.user_id,
      label: nameOf(editing.user_id) ?? `Name unavailable (#${editing.user_id})`,
    });
  }
  options.sort((a, b) => a.label.localeCompare(b.label));

  const { start, end, overnight } = shiftInstants(form.day, form.startTime, form.endTime, tz);
  const lengthHours = (end.getTime() - start.getTime()) / 3_600_000;
  const breakMinutes = Number(form.breakMinutes || '0');
  const localProblems: Record<string, string> = {};
  if (!form.day) localProblems.start = 'Choose a day.';
  if (!form.startTime) localProblems.start = 'Choose a start time.';
  if (!form.endTime) localProblems.end = 'Choose an end time.';
  else if (lengthHours > MAX_SHIFT_HOURS)
    localProblems.end = `A shift can be at most ${MAX_SHIFT_HOURS} hours.`;
  if (!Number.isInteger(breakMinutes) || breakMinutes < 0)
    localProblems.break_minutes = 'Enter whole minutes, 0 or more.';
  else if (breakMinutes >= lengthHours * 60)
    localProblems.break_minutes = 'The break must be shorter than the shift.';

  const fieldError = (k: string) => error?.fields[k];
  const assignee = form.userId ? Number(form.userId) : null;
  const who = assignee === null ? 'an open shift' : (nameOf(assignee) ?? 'the shift');
  const outside =
    assignee !== null &&
    !localProblems.start &&
    !localProblems.end &&
    isOutside({ user_id: assignee, start: toIso(start), end: toIso(end) }, availability, tz);
  const note = outside && assignee !== null ? dayNote(availability.get(assignee), form.day) : null;
  const personHint = peopleUnavailable
    ? 'People can’t be listed right now.'
    : outside
      ? `Outside the availability ${who} gave${note ? ` (${formatDay(form.day)}: ${note.toLowerCase()})` : ''}. You can still save it.`
      : undefined;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(localProblems).length > 0) {
      setError({ message: 'Some details need fixing: see the highlighted fields.', fields: localProblems });
      return;
    }
    setBusy(true);
    setError(null);
    const body = {
      role_id: form.roleId ? Number(form.roleId) : null,
      user_id: assignee,
      start: toIso(start),
      end: toIso(end),
      break_minutes: breakMinutes,
      notes: form.notes.trim() || null,
    };
    const when = `${formatDay(form.day)}, ${formatTimeRange(body.start, body.end, tz)}`;
    try {
      if (editing) {
        const patch: ShiftPatch = {};
        if (body.role_id !== editing.role_id) patch.role_id = body.role_id;
        if (body.user_id !== editing.user_id) patch.user_id = body.user_id;
        if (new Date(body.start).getTime() !== new Date(editing.start).getTime()) patch.start = body.start;
        if (new Date(body.end).getTime() !== new Date(editing.end).getTime()) patch.end = body.end;
        if (body.break_minutes !== editing.break_minutes) patch.break_minutes = body.break_minutes;
        if (body.notes !== editing.notes) patch.notes = body.notes;
        if (Object.keys(patch).length === 0) {
          onClose();
          return;
        }
        await api.updateShift(editing.id, editing.version, patch);
        onSaved(`Saved the shift: ${assignee === null ? 'open shift' : who}, ${when}.`);
      } else {
        await api.createShift({ location_id: location.id, ...body, status: 'draft' });
        onSaved(`Added a draft shift for ${who === 'an open shift' ? 'anyone (open)' : who}, ${when}.`);
      }
    } catch (err) {
      setError(
        explainError(err, {
          personName: nameOf,
          timeZone: tz,
          action: 'save the shift',
          assigneeId: assignee,
        }),
      );
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!editing) return;
    setBusy(true);
    setError(null);
    try {
      await api.deleteShift(editing.id, editing.version);
      onSaved(`Deleted the shift on ${formatDay(dayKeyInZone(new Date(editing.start), tz))}.`);
    } catch (err) {
      setError(explainError(err, { action: 'delete the shift' }));
      setBusy(false);
    }
  };

  const title = editing ? 'Edit shift' : assignee === null ? 'New open shift' : `New shift for ${who}`;
  const subtitle = editing ? (
    <span className={editing.status === 'draft' ? 'status-pill draft' : 'status-pill'}>
      {editing.status === 'draft'
        ? 'Draft: staff can’t see it until you publish the week'
        : 'Published: staff can see it'}
    </span>
  ) : (
    <>New shifts start as drafts. {formatLongDay(form.day)}.</>
  );

  return (
    <Dialog title={title} subtitle={subtitle} onClose={onClose}>
      <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
        {error ? (
          <div className="form-error" role="alert" id={`${id}-form-error`}>
            {error.message}
          </div>
        ) : null}
        <SelectField
          label="Person"
          id={`${id}-user`}
          error={fieldError('user_id')}
          hint={personHint}
          value={form.userId}
          onChange={set('userId')}
          data-autofocus
          emptyLabel="Nobody yet (open shift)"
          options={options}
        />
        <SelectField
          label="Role"
          id={`${id}-role`}
          error={fieldError('role_id')}
          value={form.roleId}
          onChange={set('roleId')}
          emptyLabel="No role"
          options={nameOptions(roles)}
        />
        <Field label="Day" id={`${id}-day`}>
          <input id={`${id}-day`} type="date" value={form.day} onChange={set('day')} required />
        </Field>
        <div className="field-pair">
          <TextField
            label="Start"
            id={`${id}-start`}
            error={fieldError('start')}
            type="time"
            value={form.startTime}
            onChange={set('startTime')}
            required
          />
          <TextField
            label="End"
            id={`${id}-end`}
            error={fieldError('end')}
            hint={overnight ? 'Ends the next day.' : undefined}
            type="time"
            value={form.endTime}
            onChange={set('endTime')}
            required
          />
        </div>
        <TextField
          label="Break (minutes)"
          id={`${id}-break`}
          error={fieldError('break_minutes')}
          type="number"
          inputMode="numeric"
          min={0}
          max={720}
          step={5}
          value={form.breakMinutes}
          onChange={set('breakMinutes')}
        />
        <Field label="Notes" id={`${id}-notes`} error={fieldError('notes')}>
          <textarea
            id={`${id}-notes`}
            rows={2}
            maxLength={1000}
            value={form.notes}
            onChange={set('notes')}
            aria-invalid={!!fieldError('notes')}
            aria-describedby={describedBy(`${id}-notes`, fieldError('notes'))}
          />
        </Field>
        <p className="hint">
          Times are in {location.name}&apos;s time zone ({tz.replace(/_/g, ' ')}).
        </p>

        {confirmDelete ? (
          <div className="confirm" role="group" aria-label="Confirm delete">
            <p>Delete this shift? This can’t be undone from here.</p>
            <div className="actions">
              <button type="button" className="button danger" onClick={() => void remove()} disabled={busy}>
                Yes, delete it
              </button>
              <button type="button" className="button" onClick={() => setConfirmDelete(false)}>
                Keep it
              </button>
            </div>
          </div>
        ) : (
          <div className="actions">
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Saving…' : editing ? 'Save changes' : 'Add shift'}
            </button>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
            {editing ? (
              <button type="button" className="button danger-quiet" onClick={() => setConfirmDelete(true)}>
                Delete shift
              </button>
            ) : null}
          </div>
        )}
      </form>
    </Dialog>
  );
}
