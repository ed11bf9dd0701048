// What the board says about the week instead of, or above, the grid: names missing (users down), a load
// that failed (with Try again), loading, an empty week, a location without people, a refused move.
import type { ReactNode } from 'react';
import type { Location, Role } from '../api';
import { roleName } from '../roles';

export function DegradedNotice() {
  return (
    <div className="notice notice-warn" role="status">
      <strong>Some names may be missing.</strong> The people service isn&apos;t answering right now, so names
      may be missing or out of date and you can&apos;t assign people. The shifts themselves are up to date;
      reload in a minute.
    </div>
  );
}

/** The load error or the loading line until the week is there; then `children`. */
export function LoadState({
  loadError,
  loaded,
  reload,
  children,
}: {
  loadError: string | null;
  loaded: boolean;
  reload: () => void;
  children: ReactNode;
}) {
  if (loadError)
    return (
      <div className="notice notice-error" role="alert">
        <p>{loadError}</p>
        <button type="button" className="button" onClick={reload}>
          Try again
        </button>
      </div>
    );
  if (!loaded)
    return (
      <p className="loading" role="status" aria-live="polite">
        Loading the schedule…
      </p>
    );
  return <>{children}</>;
}

export function EmptyHints({
  noShifts,
  nobody,
  roleFilter,
  roles,
  location,
}: {
  noShifts: boolean;
  nobody: boolean;
  roleFilter: number | null;
  roles: Role[];
  location: Location;
}) {
  return (
    <>
      {noShifts ? (
        <p className="empty-hint">
          {roleFilter
            ? `No ${roleName(roleFilter, roles)} shifts this week.`
            : 'No shifts this week yet. Choose an empty cell to add the first one.'}
        </p>
      ) : null}
      {nobody ? (
        <p className="empty-hint">
          Nobody works at {location.name} yet. Add people on the <a href="/people">People page</a>.
        </p>
      ) : null}
    </>
  );
}
