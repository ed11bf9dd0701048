// Copy a week into the one on screen: which week (last week by default), all roles or some. One request;
// the shifts arrive as drafts, and whatever could not be copied is said in plain words.
import { useId, useState, type FormEvent } from 'react';
import type { CopyWeekResult } from '@shiftstack/contract';
import { api, type Location, type Role } from '../api';
import { Dialog, FormButtons, FormError } from '../components/Dialog';
import { explainError } from '../errors';
import { addDays, formatWeekRange } from '../time';

interface Props {
  location: Location;
  roles: Role[];
  /** The week on screen, which the copy goes into. */
  weekKey: string;
  onClose: () => void;
  onCopied: (message: string) => void;
}

const WEEKS_BACK = [1, 2, 3, 4];

export function CopyWeekDialog({ location, roles, weekKey, onClose, onCopied }: Props) {
  const id = useId();
  const [fromWeek, setFromWeek] = useState(addDays(weekKey, -7));
  const [roleIds, setRoleIds] = useState<number[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.copyWeek({
        location_id: location.id,
        from_week: fromWeek,
        to_week: weekKey,
        ...(roleIds.length > 0 ? { role_ids: roleIds } : {}),
      });
      onCopied(copiedMessage(result));
    } catch (err) {
      setError(explainError(err, { action: 'copy the week' }).message);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Copy a week into the week of ${formatWeekRange(weekKey)}`} onClose={onClose}>
      <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={`${id}-from`}>Copy from</label>
          <select
            id={`${id}-from`}
            value={fromWeek}
            onChange={(e) => setFromWeek(e.target.value)}
            data-autofocus
          >
            {WEEKS_BACK.map((n) => {
              const key = addDays(weekKey, -7 * n);
              return (
                <option key={key} value={key}>
                  {n === 1 ? 'Last week' : `${n} weeks ago`} ({formatWeekRange(key)})
                </option>
              );
            })}
          </select>
        </div>
        <fieldset className="checks">
          <legend>Roles to copy (none ticked: every shift)</legend>
          {roles.map((r) => (
            <label key={r.id} className="check">
              <input
                type="checkbox"
                checked={roleIds.includes(r.id)}
                onChange={(e) =>
                  setRoleIds((ids) => (e.target.checked ? [...ids, r.id] : ids.filter((x) => x !== r.id)))
                }
              />
              {r.name}
            </label>
          ))}
        </fieldset>
        <p className="hint">
          Copies arrive as drafts on the same days and times. Nothing is published until you publish the week.
        </p>
        <FormError message={error} />
        <FormButtons label="Copy shifts" busyLabel="Copying…" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

const shifts = (n: number) => `${n} ${n === 1 ? 'shift' : 'shifts'}`;

/** What the copy did, in words: how many arrived, then each thing it could not do (at most five). */
export function copiedMessage(result: CopyWeekResult): string {
  const from = formatWeekRange(result.from_week);
  const parts = [
    result.created_count === 0
      ? `Nothing was copied from the week of ${from}.`
      : `Copied ${shifts(result.created_count)} from the week of ${from} as drafts.`,
  ];
  const notes = [...result.skipped.map((s) => s.detail), ...result.opened.map((o) => o.detail)];
  if (result.skipped.length > 0) parts.push(`${shifts(result.skipped.length)} skipped.`);
  if (result.opened.length > 0) parts.push(`${shifts(result.opened.length)} copied as open.`);
  parts.push(...notes.slice(0, 5));
  if (notes.length > 5) parts.push(`And ${notes.length - 5} more.`);
  return parts.join(' ');
}
