// Moving a shift by dropping it: shown at once where it was dropped, saved with the version the board read
// (If-Match), then the week reloaded. A refusal (overlap, missing role, someone else's change) puts it back
// and says why in the same words as the shift dialog.
import { useEffect, useState } from 'react';
import { api, type Shift } from '../api';
import { explainError } from '../errors';
import { formatTimeRange } from '../time';
import { moveOf, type CellTarget } from './moves';

interface Options {
  tz: string;
  current: { shifts: Shift[] } | null;
  nameOf: (id: number) => string | undefined;
  announce: (message: string) => void;
  reload: () => void;
}

export function useShiftMoves({ tz, current, nameOf, announce, reload }: Options) {
  const [pending, setPending] = useState<Shift | null>(null);
  const [moveError, setMoveError] = useState<string | null>(null);
  // Fresh data has the move in it (or not, if it failed): stop overriding it.
  useEffect(() => setPending(null), [current]);

  const move = async (shift: Shift, target: CellTarget) => {
    const change = moveOf(shift, target, tz);
    if (!change) return announce(`The shift stays on ${target.label}.`);
    setMoveError(null);
    setPending(change.moved);
    try {
      await api.updateShift(shift.id, shift.version, change.patch);
      const times = formatTimeRange(change.moved.start, change.moved.end, tz);
      announce(
        `Moved the shift to ${target.label}, ${times}${target.userId === null ? ', as an open shift' : ''}.`,
      );
      reload();
    } catch (err) {
      setPending(null);
      const explained = explainError(err, {
        personName: nameOf,
        timeZone: tz,
        action: 'move the shift',
        assigneeId: target.userId,
      });
      setMoveError(`The shift went back where it was. ${explained.message}`);
    }
  };

  /** The week as the board should draw it: with a move that is being saved already in place. */
  const withPending = (shifts: Shift[]) =>
    pending ? shifts.map((s) => (s.id === pending.id ? pending : s)) : shifts;

  return { move, moveError, clearMoveError: () => setMoveError(null), withPending, pending };
}
