// A person's weekly availability, edited from their row: each weekday any time, only some hours, or not
// available. The person edits their own; managers of their location and admins edit anyone's there. It
// is read fresh when the dialog opens and saved whole with If-Match, so two editors never overwrite each
// other silently.
import { useEffect, useId, useState, type FormEvent } from 'react';
import type { Availability } from '@shiftstack/contract';
import { api } from '../api';
import { Dialog, FormButtons, FormError } from '../components/Dialog';
import { explainError } from '../errors';
import { WEEKDAY_NAMES, dayProblem, toForm, toWindows, type DayForm, type DayMode } from './availability';

export interface AvailabilityTarget {
  userId: number;
  who: string;
}

interface Props {
  target: AvailabilityTarget;
  onClose: () => void;
  onDone: (message: string) => void;
}

export function AvailabilityDialog({ target, onClose, onDone }: Props) {
  const [current, setCurrent] = useState<Availability | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctrl = new AbortController();
    api.availability(target.userId, ctrl.signal).then(setCurrent, (err: unknown) => {
      if ((err as Error).name !== 'AbortError')
        setError(explainError(err, { action: 'read the availability' }).message);
    });
    return () => ctrl.abort();
  }, [target.userId]);
  return (
    <Dialog
      title={`Availability: ${target.who}`}
      subtitle="When they can work each week. A shift outside it is still allowed, with a warning."
      onClose={onClose}
    >
      {current ? (
        <AvailabilityForm target={target} current={current} onClose={onClose} onDone={onDone} />
      ) : (
        <div className="dialog-body">
          <FormError message={error} />
          {error ? null : <p role="status">Loading…</p>}
        </div>
      )}
    </Dialog>
  );
}

function AvailabilityForm({ target, current, onClose, onDone }: Props & { current: Availability }) {
  const [days, setDays] = useState<DayForm[]>(() => toForm(current.windows));
  const [error, setError] = useState<string | null>(null);
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const problems = days.map(dayProblem);
  const change = (i: number, day: DayForm) => setDays((all) => all.map((d, k) => (k === i ? day : d)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setChecked(true);
    if (problems.some((p) => p !== null)) return setError('Some days need fixing: see the highlighted ones.');
    setBusy(true);
    setError(null);
    try {
      const saved = await api.setAvailability(target.userId, current.version, toWindows(days));
      onDone(
        saved.windows.length === 0
          ? `${target.who} can now work any time.`
          : `Saved ${target.who}'s availability.`,
      );
    } catch (err) {
      setError(explainError(err, { action: 'save the availability' }).message);
      setBusy(false);
    }
  };
  return (
    <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
      <FormError message={error} />
      {days.map((day, i) => (
        <DayFields
          key={WEEKDAY_NAMES[i]}
          name={WEEKDAY_NAMES[i]!}
          day={day}
          problem={checked ? problems[i]! : null}
          onChange={(d) => change(i, d)}
          autoFocus={i === 0}
        />
      ))}
      <p className="hint">Times are in the location&apos;s time zone. An end of 00:00 is midnight.</p>
      <FormButtons label="Save availability" busyLabel="Saving…" busy={busy} onCancel={onClose} />
    </form>
  );
}

const MODES: { value: DayMode; label: string }[] = [
  { value: 'any', label: 'Any time' },
  { value: 'hours', label: 'Only these hours' },
  { value: 'none', label: 'Not available' },
];

function DayFields({
  name,
  day,
  problem,
  onChange,
  autoFocus,
}: {
  name: string;
  day: DayForm;
  problem: string | null;
  onChange: (day: DayForm) => void;
  autoFocus: boolean;
}) {
  const id = useId();
  const setHours = (k: number, part: 'start' | 'end', value: string) =>
    onChange({ ...day, hours: day.hours.map((h, j) => (j === k ? { ...h, [part]: value } : h)) });
  return (
    <fieldset
      className="checks availability-day"
      aria-invalid={!!problem}
      aria-describedby={problem ? `${id}-problem` : undefined}
    >
      <legend>{name}</legend>
      <select
        aria-label={name}
        value={day.mode}
        onChange={(e) => onChange({ ...day, mode: e.target.value as DayMode })}
        data-autofocus={autoFocus || undefined}
      >
        {MODES.map((m) => (
          <option key={m.value} value={m.value}>
            {m.label}
          </option>
        ))}
      </select>
      {day.mode === 'hours'
        ? day.hours.map((h, k) => (
            <span className="availability-hours" key={k}>
              <input
                type="time"
                aria-label={`${name}: from`}
                value={h.start}
                onChange={(e) => setHours(k, 'start', e.target.value)}
              />
              <span aria-hidden="true">–</span>
              <input
                type="time"
                aria-label={`${name}: until`}
                value={h.end}
                onChange={(e) => setHours(k, 'end', e.target.value)}
              />
              {day.hours.length > 1 ? (
                <button
                  type="button"
                  className="button small"
                  aria-label={`Remove ${name} ${h.start}–${h.end}`}
                  onClick={() => onChange({ ...day, hours: day.hours.filter((_, j) => j !== k) })}
                >
                  Remove
                </button>
              ) : null}
            </span>
          ))
        : null}
      {day.mode === 'hours' ? (
        <button
          type="button"
          className="button small"
          onClick={() => onChange({ ...day, hours: [...day.hours, { start: '18:00', end: '22:00' }] })}
        >
          Add hours on {name}
        </button>
      ) : null}
      {problem ? (
        <span className="field-error" id={`${id}-problem`}>
          {problem}
        </span>
      ) : null}
    </fieldset>
  );
}
