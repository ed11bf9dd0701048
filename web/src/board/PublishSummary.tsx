// What publishing will do, before it does it: how many shifts, for whom, how many are open, and what the
// manager should know first (overtime, short rest, missing roles), which never stops them publishing.
import type { Shift } from '../api';
import { Dialog } from '../components/Dialog';
import type { Warnings } from './usePublish';

const KIND_LABELS: Record<string, string> = {
  overtime: 'Overtime',
  'short-rest': 'Short rest',
  'missing-role': 'Missing role',
  'outside-availability': 'Outside availability',
};

/** What publishing will do, before it does it: how many shifts, for whom, and how many are open. */
export function PublishSummary({
  drafts,
  names,
  week,
  warnings,
  onPublish,
  onClose,
}: {
  drafts: Shift[];
  names: Map<number, string>;
  week: string;
  warnings: Warnings;
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
  const warned = warnings.state === 'loaded' && warnings.list.length > 0;
  return (
    <Dialog title={`Publish the week of ${week}?`} onClose={onClose}>
      <div className="dialog-body">
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
        <WarningList warnings={warnings} />
        <div className="actions">
          <button
            type="button"
            className="button primary"
            onClick={onPublish}
            disabled={drafts.length === 0}
            data-autofocus
          >
            {warned ? 'Publish anyway: ' : 'Publish '}
            {drafts.length} {drafts.length === 1 ? 'shift' : 'shifts'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}

function WarningList({ warnings }: { warnings: Warnings }) {
  if (warnings.state === 'loading')
    return (
      <p className="hint" role="status">
        Checking the week for overtime, rest, roles and availability…
      </p>
    );
  if (warnings.state === 'failed')
    return (
      <p className="notice notice-warn" role="status">
        The week could not be checked for overtime and rest ({warnings.message}). You can still publish.
      </p>
    );
  if (warnings.list.length === 0)
    return (
      <p className="hint">No overtime, short rest, missing roles or shifts outside availability this week.</p>
    );
  return (
    <div className="publish-warnings" role="group" aria-labelledby="publish-warnings-title">
      <h3 id="publish-warnings-title">
        {warnings.list.length} {warnings.list.length === 1 ? 'warning' : 'warnings'} before you publish
      </h3>
      <ul>
        {warnings.list.map((w) => (
          <li key={`${w.kind}-${w.user_id}-${w.shift_ids.join('-')}`}>
            <strong>{KIND_LABELS[w.kind] ?? w.kind}:</strong> {w.detail}
          </li>
        ))}
      </ul>
    </div>
  );
}
