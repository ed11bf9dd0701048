import { useId, useState, type FormEvent } from 'react';
import type { UserCreate, UserPatch, UserType } from '@shiftstack/contract';
import { api, type Location, type Role, type User } from '../api';
import { Dialog, Field, FormButtons } from '../components/Dialog';
import { Options, type SelectOption } from '../components/FilterSelect';
import { TextField } from '../components/FormFields';
import { explainError, type Explained } from '../errors';

export const TYPE_LABELS: Record<UserType, string> = {
  employee: 'Employee',
  asst_manager: 'Assistant manager',
  manager: 'Manager',
  employer: 'Owner',
};

export const TYPE_OPTIONS: SelectOption[] = Object.entries(TYPE_LABELS).map(([value, label]) => ({
  value,
  label,
}));

interface Props {
  user: User | null;
  locations: Location[];
  roles: Role[];
  defaultLocationId: number | null;
  onClose: () => void;
  onSaved: (message: string) => void;
}

export function PersonDialog({ user, locations, roles, defaultLocationId, onClose, onSaved }: Props) {
  const id = useId();
  const [first, setFirst] = useState(user?.first_name ?? '');
  const [last, setLast] = useState(user?.last_name ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [mobile, setMobile] = useState(user?.mobile_number ?? '');
  const [type, setType] = useState<UserType>(user?.type ?? 'employee');
  const [hireDate, setHireDate] = useState(user?.hire_date ?? '');
  const [locationIds, setLocationIds] = useState<number[]>(
    user?.location_ids ??
      (defaultLocationId ? [defaultLocationId] : locations.length === 1 ? [locations[0]!.id] : []),
  );
  const [roleIds, setRoleIds] = useState<number[]>(user?.role_ids ?? []);
  const [error, setError] = useState<Explained | null>(null);
  const [busy, setBusy] = useState(false);

  const toggle = (list: number[], value: number, on: boolean) =>
    on ? [...new Set([...list, value])] : list.filter((v) => v !== value);

  const visibleRoles = roles.filter((r) => locationIds.includes(r.location_id));
  const locName = (lid: number) => locations.find((l) => l.id === lid)?.name ?? '';
  const err = (k: string) => error?.fields[k];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!first.trim()) local.first_name = 'First name is required.';
    if (!last.trim()) local.last_name = 'Last name is required.';
    if (email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()))
      local.email = 'Enter an email address like name@example.com.';
    if (Object.keys(local).length) {
      setError({ message: 'Some details need fixing: see the highlighted fields.', fields: local });
      return;
    }
    setBusy(true);
    setError(null);
    // Roles only count at the chosen locations.
    const keptRoles = roleIds.filter((rid) => visibleRoles.some((r) => r.id === rid));
    const body = {
      first_name: first.trim(),
      last_name: last.trim(),
      email: email.trim() || null,
      mobile_number: mobile.trim() || null,
      type,
      hire_date: hireDate || null,
      location_ids: locationIds,
      role_ids: keptRoles,
    } satisfies UserCreate;
    try {
      if (user) {
        const patch: UserPatch = body;
        await api.updateUser(user.id, user.version, patch);
        onSaved(`Saved ${body.first_name} ${body.last_name}.`);
      } else {
        await api.createUser(body);
        onSaved(`Added ${body.first_name} ${body.last_name}.`);
      }
    } catch (caught) {
      setError(explainError(caught, { action: user ? 'save this person' : 'add this person' }));
      setBusy(false);
    }
  };

  return (
    <Dialog title={user ? `Edit ${user.first_name} ${user.last_name}` : 'Add a person'} onClose={onClose}>
      <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
        {error ? (
          <div className="form-error" role="alert">
            {error.message}
          </div>
        ) : null}
        <div className="field-pair">
          <TextField
            label="First name"
            id={`${id}-first`}
            error={err('first_name')}
            value={first}
            onChange={(e) => setFirst(e.target.value)}
            maxLength={80}
            required
            autoComplete="off"
          />
          <TextField
            label="Last name"
            id={`${id}-last`}
            error={err('last_name')}
            value={last}
            onChange={(e) => setLast(e.target.value)}
            maxLength={80}
            required
            autoComplete="off"
          />
        </div>
        <TextField
          label="Email (optional)"
          id={`${id}-email`}
          error={err('email')}
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          maxLength={155}
          autoComplete="off"
        />
        <div className="field-pair">
          <TextField
            label="Mobile (optional)"
            id={`${id}-mobile`}
            error={err('mobile_number')}
            type="tel"
            value={mobile}
            onChange={(e) => setMobile(e.target.value)}
            maxLength={32}
            autoComplete="off"
          />
          <TextField
            label="Hire date (optional)"
            id={`${id}-hire`}
            error={err('hire_date')}
            type="date"
            value={hireDate}
            onChange={(e) => setHireDate(e.target.value)}
          />
        </div>
        <Field label="Type" id={`${id}-type`} error={err('type')}>
          <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as UserType)}>
            <Options options={TYPE_OPTIONS} />
          </select>
        </Field>
        <fieldset className="checks">
          <legend>Works at</legend>
          {locations.map((l) => (
            <label key={l.id} className="check">
              <input
                type="checkbox"
                checked={locationIds.includes(l.id)}
                onChange={(e) => setLocationIds((ids) => toggle(ids, l.id, e.target.checked))}
              />
              {l.name}
            </label>
          ))}
          {err('location_ids') ? <p className="field-error">{err('location_ids')}</p> : null}
        </fieldset>
        <fieldset className="checks">
          <legend>Roles</legend>
          {visibleRoles.length === 0 ? <p className="hint">Pick a location to choose roles.</p> : null}
          {visibleRoles.map((r) => (
            <label key={r.id} className="check">
              <input
                type="checkbox"
                checked={roleIds.includes(r.id)}
                onChange={(e) => setRoleIds((ids) => toggle(ids, r.id, e.target.checked))}
              />
              {r.name}
              {locationIds.length > 1 ? <span className="muted"> ({locName(r.location_id)})</span> : null}
            </label>
          ))}
          {err('role_ids') ? <p className="field-error">{err('role_ids')}</p> : null}
        </fieldset>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Saving…' : user ? 'Save changes' : 'Add person'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function DeactivateDialog({
  user,
  onClose,
  onDone,
}: {
  user: User;
  onClose: () => void;
  onDone: (message: string) => void;
}) {
  const id = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Explained | null>(null);
  const [busy, setBusy] = useState(false);
  const name = `${user.first_name} ${user.last_name}`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setError({
        message: 'Say why, so others know later.',
        fields: { inactive_reason: 'A reason is required.' },
      });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const done = await api.deactivateUser(user.id, user.version, reason.trim());
      const opened = done.opened_shift_ids.length;
      onDone(
        `${name} is deactivated. Their details are kept; you can reactivate them later.${
          opened > 0
            ? ` ${opened} upcoming ${opened === 1 ? 'shift of theirs is' : 'shifts of theirs are'} now open for someone else to take.`
            : ''
        }`,
      );
    } catch (caught) {
      setError(explainError(caught, { action: `deactivate ${name}` }));
      setBusy(false);
    }
  };
  const fieldErr = error?.fields.inactive_reason;

  return (
    <Dialog title={`Deactivate ${name}?`} onClose={onClose}>
      <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
        <p>
          {name} won&apos;t be able to take new shifts. Nothing is erased: you can reactivate them from the
          People page.
        </p>
        {error && !fieldErr ? (
          <div className="form-error" role="alert">
            {error.message}
          </div>
        ) : null}
        <TextField
          label="Reason"
          id={`${id}-reason`}
          error={fieldErr}
          hint="For example: left the company, on leave."
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={200}
          required
        />
        <FormButtons label="Deactivate" busyLabel="Deactivating…" busy={busy} onCancel={onClose} danger />
      </form>
    </Dialog>
  );
}
