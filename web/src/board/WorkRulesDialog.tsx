// A location's work rules, which the publish warnings and the row's "Over N h" use: the overtime line
// (paid hours a week) and the least rest between two shifts of one person. Admins change them (PATCH
// /api/v1/locations/{id} with If-Match); everyone else reads them under the toolbar.
import { useId, useState, type FormEvent } from 'react';
import { api, type Location } from '../api';
import { Dialog, FormButtons, FormError } from '../components/Dialog';
import { TextField } from '../components/FormFields';
import { explainError, type Explained } from '../errors';

interface Props {
  location: Location;
  onClose: () => void;
  onSaved: (location: Location, message: string) => void;
}

const wholeIn = (value: string, min: number, max: number) =>
  /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;

export function WorkRulesDialog({ location, onClose, onSaved }: Props) {
  const id = useId();
  const [overtime, setOvertime] = useState(String(location.overtime_hours_per_week));
  const [rest, setRest] = useState(String(location.min_rest_hours));
  const [error, setError] = useState<Explained | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const fields: Record<string, string> = {};
    if (!wholeIn(overtime, 1, 168)) fields.overtime_hours_per_week = 'Whole hours from 1 to 168.';
    if (!wholeIn(rest, 0, 24)) fields.min_rest_hours = 'Whole hours from 0 to 24.';
    if (Object.keys(fields).length > 0)
      return setError({ message: 'Some details need fixing: see the highlighted fields.', fields });
    setBusy(true);
    setError(null);
    try {
      const saved = await api.updateLocation(location.id, location.version, {
        overtime_hours_per_week: Number(overtime),
        min_rest_hours: Number(rest),
      });
      onSaved(saved, `Saved ${saved.name}'s work rules: ${rulesText(saved)}`);
    } catch (err) {
      setError(explainError(err, { action: 'save the work rules' }));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Work rules: ${location.name}`}
      subtitle="What the publish summary warns about. Warnings never stop a publish."
      onClose={onClose}
    >
      <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
        <FormError message={error?.message} />
        <TextField
          label="Overtime past (paid hours a week)"
          id={`${id}-overtime`}
          type="number"
          inputMode="numeric"
          min={1}
          max={168}
          value={overtime}
          onChange={(e) => setOvertime(e.target.value)}
          error={error?.fields.overtime_hours_per_week}
          data-autofocus
        />
        <TextField
          label="Least rest between two shifts (hours)"
          id={`${id}-rest`}
          type="number"
          inputMode="numeric"
          min={0}
          max={24}
          value={rest}
          onChange={(e) => setRest(e.target.value)}
          error={error?.fields.min_rest_hours}
        />
        <FormButtons label="Save work rules" busyLabel="Saving…" busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** "overtime past 40 h a week, at least 11 h rest between shifts." */
export function rulesText(l: Location): string {
  return `overtime past ${l.overtime_hours_per_week} h a week, at least ${l.min_rest_hours} h rest between shifts.`;
}
