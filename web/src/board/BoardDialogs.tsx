// The one dialog the board may have open at a time (a shift, copying a week, time off, availability), and
// the publish summary; each closes itself, and a saved change comes back through `onSaved` as an
// announcement.
import type { Location, Role, Shift, User } from '../api';
import { AvailabilityDialog, type AvailabilityTarget } from './AvailabilityDialog';
import type { WindowsByUser } from './availability';
import { formatWeekRange } from '../time';
import { CopyWeekDialog } from './CopyWeekDialog';
import { PublishSummary } from './PublishSummary';
import { ShiftDialog, type ShiftDialogTarget } from './ShiftDialog';
import { TimeOffDialog, type TimeOffTarget } from './TimeOffDialog';
import type { usePublish } from './usePublish';

export type OpenDialog =
  | { kind: 'shift'; target: ShiftDialogTarget }
  | { kind: 'copy' }
  | { kind: 'time-off'; target: TimeOffTarget }
  | { kind: 'availability'; target: AvailabilityTarget }
  | null;

interface Props {
  open: OpenDialog;
  close: () => void;
  onSaved: (message: string) => void;
  location: Location;
  roles: Role[];
  weekKey: string;
  week: { shifts: Shift[]; people: User[] | null } | null;
  names: Map<number, string>;
  availability: WindowsByUser;
  defaultRoleId: number | null;
  publishing: ReturnType<typeof usePublish>;
}

export function BoardDialogs({
  open,
  close,
  onSaved,
  location,
  roles,
  weekKey,
  week,
  names,
  ...rest
}: Props) {
  const { publishing, defaultRoleId, availability } = rest;
  return (
    <>
      {publishing.confirmPublish && week ? (
        <PublishSummary
          drafts={week.shifts.filter((s) => s.status === 'draft' && s.deleted_at === null)}
          names={names}
          week={formatWeekRange(weekKey)}
          warnings={publishing.warnings}
          onPublish={() => void publishing.publish()}
          onClose={publishing.cancelPublish}
        />
      ) : null}
      {open?.kind === 'time-off' ? (
        <TimeOffDialog target={open.target} onClose={close} onDone={onSaved} />
      ) : null}
      {open?.kind === 'availability' ? (
        <AvailabilityDialog target={open.target} onClose={close} onDone={onSaved} />
      ) : null}
      {open?.kind === 'copy' ? (
        <CopyWeekDialog
          location={location}
          roles={roles}
          weekKey={weekKey}
          onClose={close}
          onCopied={onSaved}
        />
      ) : null}
      {open?.kind === 'shift' && week ? (
        <ShiftDialog
          target={open.target}
          location={location}
          roles={roles}
          people={week.people ?? []}
          names={names}
          availability={availability}
          peopleUnavailable={week.people === null}
          defaultRoleId={defaultRoleId}
          onClose={close}
          onSaved={onSaved}
        />
      ) : null}
    </>
  );
}
