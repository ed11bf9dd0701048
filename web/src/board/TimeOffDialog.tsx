// Time off from the board: anyone asks for their own days off; a manager of the person's location records
// it for someone (approved at once, unless it is their own) and approves or declines what was asked
// (never their own). The board then shows it in the person's row.
import { useId, useState, type FormEvent } from 'react';
import type { TimeOff } from '@shiftstack/contract';
import { api } from '../api';
import { Dialog, FormButtons, FormError } from '../components/Dialog';
import { TextField } from '../components/FormFields';
import { explainError, type Explained } from '../errors';
import { formatLongDay } from '../time';

/** Whose time off a manager records from a row; `self` when it is their own (then only asked). */
export interface TimeOffPerson {
  id: number;
  name: string;
  self: boolean;
}

export type TimeOffTarget =
  { kind: 'ask'; day: string; person?: TimeOffPerson } | { kind: 'decide'; request: TimeOff; who: string };

interface Props {
  target: TimeOffTarget;
  onClose: () => void;
  onDone: (message: string) => void;
}

const days = (t: { start_date: string; end_date: string }) =>
  t.start_date === t.end_date
    ? formatLongDay(t.start_date)
    : `${formatLongDay(t.start_date)} to ${formatLongDay(t.end_date)}`;

export function TimeOffDialog({ target, onClose, onDone }: Props) {
  return target.kind === 'ask' ? (
    <AskDialog day={target.day} person={target.person} onClose={onClose} onDone={onDone} />
  ) : (
    <DecideDialog request={target.request} who={target.who} onClose={onClose} onDone={onDone} />
  );
}

function AskDialog({
  day,
  person,
  onClose,
  onDone,
}: { day: string; person: TimeOffPerson | undefined } & Omit<Props, 'target'>) {
  const id = useId();
  const [start, setStart] = useState(day);
  const [end, setEnd] = useState(day);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<Explained | null>(null);
  const [busy, setBusy] = useState(false);
  const forSomeone = person && !person.self ? person : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const asked = await api.askTimeOff({
        ...(person ? { user_id: person.id } : {}),
        start_date: start,
        end_date: end,
        ...(reason.trim() ? { reason } : {}),
      });
      if (forSomeone) return onDone(await approveRecorded(asked, forSomeone.name));
      onDone(`Asked for time off ${days(asked)}. A manager of your location will approve or decline it.`);
    } catch (err) {
      setError(explainError(err, { action: 'ask for time off' }));
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={forSomeone ? `Time off for ${forSomeone.name}` : 'Ask for time off'}
      subtitle={
        forSomeone ? 'Recorded as approved. Their shifts on those days must go to someone else.' : undefined
      }
      onClose={onClose}
    >
      <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
        <FormError message={error?.message} />
        <TextField
          label="First day off"
          id={`${id}-start`}
          type="date"
          value={start}
          required
          onChange={(e) => setStart(e.target.value)}
          error={error?.fields.start_date}
          data-autofocus
        />
        <TextField
          label="Last day off"
          id={`${id}-end`}
          type="date"
          value={end}
          min={start}
          required
          onChange={(e) => setEnd(e.target.value)}
          error={error?.fields.end_date}
        />
        <TextField
          label="Reason (optional)"
          id={`${id}-reason`}
          value={reason}
          maxLength={500}
          onChange={(e) => setReason(e.target.value)}
        />
        <FormButtons
          label={forSomeone ? 'Record time off' : 'Ask for time off'}
          busyLabel="Saving…"
          busy={busy}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}

/** Approves time off a manager just recorded; if that fails it stays asked, and the message says so. */
async function approveRecorded(asked: TimeOff, name: string): Promise<string> {
  try {
    await api.decideTimeOff(asked.id, asked.version, 'approved');
    return `Recorded ${name}'s time off ${days(asked)}, approved.`;
  } catch (err) {
    const why = explainError(err, { action: 'approve the time off' }).message;
    return `Recorded ${name}'s time off ${days(asked)} as asked; approving it failed: ${why} Approve it from their row.`;
  }
}

function DecideDialog({
  request,
  who,
  onClose,
  onDone,
}: { request: TimeOff; who: string } & Omit<Props, 'target'>) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const decide = async (status: 'approved' | 'declined') => {
    setBusy(true);
    setError(null);
    try {
      await api.decideTimeOff(request.id, request.version, status);
      onDone(`${status === 'approved' ? 'Approved' : 'Declined'} ${who}'s time off ${days(request)}.`);
    } catch (err) {
      setError(explainError(err, { action: 'decide the time off' }).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Time off for ${who}`} onClose={onClose}>
      <div className="dialog-body">
        <p>
          {who} asked for time off {days(request)}
          {request.reason ? `: ${request.reason}` : '.'}
        </p>
        <FormError message={error} />
        <div className="actions">
          <button
            type="button"
            className="button primary"
            disabled={busy}
            onClick={() => void decide('approved')}
            data-autofocus
          >
            Approve
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => void decide('declined')}>
            Decline
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}
