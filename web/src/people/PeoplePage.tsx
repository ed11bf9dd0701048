import type { Me } from '@shiftstack/contract';
import { useEffect, useMemo, useState } from 'react';
import type { UserType } from '@shiftstack/contract';
import { api, type Location, type Role, type User } from '../api';
import { explainError } from '../errors';
import { setQuery } from '../router';
import { FilterSelect, nameOptions, type SelectOption } from '../components/FilterSelect';
import { PersonDialog, DeactivateDialog, TYPE_LABELS, TYPE_OPTIONS } from './PersonDialog';

type Status = 'active' | 'inactive' | 'all';

const STATUS_OPTIONS: SelectOption[] = [
  { value: 'active', label: 'Active' },
  { value: 'inactive', label: 'Deactivated' },
  { value: 'all', label: 'Everyone' },
];

type DialogState = { kind: 'add' } | { kind: 'edit'; user: User } | { kind: 'deactivate'; user: User } | null;

/** Managers and admins only (employees have no People page); the API limits managers to their locations. */
export function PeoplePage({
  locations,
  search,
}: {
  locations: Location[];
  search: URLSearchParams;
  me?: Me;
}) {
  const locationId = Number(search.get('location')) || null;
  const roleId = Number(search.get('role')) || null;
  const type = (search.get('type') ?? '') as UserType | '';
  const status = (
    ['active', 'inactive', 'all'].includes(search.get('status') ?? '') ? search.get('status') : 'active'
  ) as Status;
  const [q, setQ] = useState(search.get('q') ?? '');
  const [debouncedQ, setDebouncedQ] = useState(q);
  const [roles, setRoles] = useState<Role[]>([]);
  const [people, setPeople] = useState<User[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloadTick, setReloadTick] = useState(0);
  const [loadingMore, setLoadingMore] = useState(false);
  const [dialog, setDialog] = useState<DialogState>(null);
  const [announcement, setAnnouncement] = useState('');

  useEffect(() => {
    const t = setTimeout(() => setDebouncedQ(q.trim()), 250);
    return () => clearTimeout(t);
  }, [q]);

  useEffect(() => {
    const ctrl = new AbortController();
    api.roles(undefined, ctrl.signal).then(
      (r) => setRoles(r.data.sort((a, b) => a.name.localeCompare(b.name))),
      () => setRoles([]),
    );
    return () => ctrl.abort();
  }, [reloadTick]);

  const query = useMemo(
    () => ({
      location_id: locationId ?? undefined,
      role_id: roleId ?? undefined,
      type: type || undefined,
      status,
      q: debouncedQ || undefined,
      limit: 100,
    }),
    [locationId, roleId, type, status, debouncedQ],
  );

  useEffect(() => {
    const ctrl = new AbortController();
    setError(null);
    setPeople(null);
    api.usersPage(query, ctrl.signal).then(
      (page) => {
        setPeople(page.data);
        setNext(page.meta.cursor.next);
      },
      (err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        setError(explainError(err, { action: 'load the people' }).message);
      },
    );
    return () => ctrl.abort();
  }, [query, reloadTick]);

  const loadMore = async () => {
    if (!next) return;
    setLoadingMore(true);
    try {
      const page = await api.usersPage({ ...query, cursor: next });
      setPeople((p) => [...(p ?? []), ...page.data]);
      setNext(page.meta.cursor.next);
    } catch (err) {
      setError(explainError(err, { action: 'load more people' }).message);
    } finally {
      setLoadingMore(false);
    }
  };

  const locName = (id: number) => locations.find((l) => l.id === id)?.name ?? `Location #${id}`;
  const roleLabel = (id: number) => roles.find((r) => r.id === id)?.name;
  const roleChoices = locationId ? roles.filter((r) => r.location_id === locationId) : roles;

  const done = (message: string) => {
    setDialog(null);
    setAnnouncement(message);
    setReloadTick((t) => t + 1);
  };

  const reactivate = async (u: User) => {
    try {
      await api.updateUser(u.id, u.version, { active: true });
      done(`${u.first_name} ${u.last_name} is active again.`);
    } catch (err) {
      setAnnouncement(explainError(err, { action: `reactivate ${u.first_name}` }).message);
    }
  };

  return (
    <section className="people-page" aria-labelledby="people-title">
      <div className="page-head">
        <h1 id="people-title" tabIndex={-1}>
          People
        </h1>
        <div className="toolbar">
          <div className="field-inline search">
            <label htmlFor="people-q">Search</label>
            <input
              id="people-q"
              type="search"
              placeholder="Name or email"
              value={q}
              onChange={(e) => {
                setQ(e.target.value);
              }}
              onBlur={() => setQuery({ q: q.trim() || null }, { replace: true })}
            />
          </div>
          <FilterSelect
            id="people-location"
            label="Location"
            value={locationId ?? ''}
            allLabel="All locations"
            options={nameOptions(locations)}
            onChange={(v) => setQuery({ location: v || null, role: null }, { replace: true })}
          />
          <FilterSelect
            id="people-role"
            label="Role"
            value={roleId ?? ''}
            allLabel="All roles"
            options={roleChoices.map((r) => ({
              value: r.id,
              label: locationId ? r.name : `${r.name} (${locName(r.location_id)})`,
            }))}
            onChange={(v) => setQuery({ role: v || null }, { replace: true })}
          />
          <FilterSelect
            id="people-type"
            label="Type"
            value={type}
            allLabel="Any type"
            options={TYPE_OPTIONS}
            onChange={(v) => setQuery({ type: v || null }, { replace: true })}
          />
          <FilterSelect
            id="people-status"
            label="Status"
            value={status}
            options={STATUS_OPTIONS}
            onChange={(v) => setQuery({ status: v === 'active' ? null : v }, { replace: true })}
          />
          <button type="button" className="button primary" onClick={() => setDialog({ kind: 'add' })}>
            Add person
          </button>
        </div>
        <p className="announce" role="status" aria-live="polite">
          {announcement}
        </p>
      </div>

      {error ? (
        <div className="notice notice-error" role="alert">
          <p>{error}</p>
          <button type="button" className="button" onClick={() => setReloadTick((t) => t + 1)}>
            Try again
          </button>
        </div>
      ) : people === null ? (
        <p className="loading" role="status">
          Loading people…
        </p>
      ) : people.length === 0 ? (
        <p className="empty-hint">
          {debouncedQ || roleId || type || locationId || status !== 'active'
            ? 'Nobody matches these filters.'
            : 'No people yet. Use “Add person” to add the first one.'}
        </p>
      ) : (
        <>
          <table className="people-table">
            <caption className="visually-hidden">People ({people.length} shown)</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Contact</th>
                <th scope="col">Locations and roles</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {people.map((u) => (
                <tr key={u.id} className={u.active ? undefined : 'inactive'}>
                  <th scope="row" data-label="Name">
                    {u.first_name} {u.last_name}
                  </th>
                  <td data-label="Type">{TYPE_LABELS[u.type]}</td>
                  <td data-label="Contact">
                    {u.email ? <div className="nowrap-ellipsis">{u.email}</div> : null}
                    {u.mobile_number ? <div>{u.mobile_number}</div> : null}
                    {!u.email && !u.mobile_number ? <span className="muted">None</span> : null}
                  </td>
                  <td data-label="Where">
                    {u.location_ids.map(locName).join(', ') || <span className="muted">No location</span>}
                    {u.role_ids.length > 0 ? (
                      <div className="muted">
                        {u.role_ids
                          .map(roleLabel)
                          .filter((n): n is string => !!n)
                          .join(', ')}
                      </div>
                    ) : null}
                  </td>
                  <td data-label="Status">
                    {u.active ? (
                      'Active'
                    ) : (
                      <>
                        Deactivated
                        {u.inactive_reason ? <div className="muted">{u.inactive_reason}</div> : null}
                      </>
                    )}
                  </td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="button small"
                      onClick={() => setDialog({ kind: 'edit', user: u })}
                      aria-label={`Edit ${u.first_name} ${u.last_name}`}
                    >
                      Edit
                    </button>
                    {u.active ? (
                      <button
                        type="button"
                        className="button small danger-quiet"
                        onClick={() => setDialog({ kind: 'deactivate', user: u })}
                        aria-label={`Deactivate ${u.first_name} ${u.last_name}`}
                      >
                        Deactivate
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="button small"
                        onClick={() => void reactivate(u)}
                        aria-label={`Reactivate ${u.first_name} ${u.last_name}`}
                      >
                        Reactivate
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {next ? (
            <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Show more people'}
            </button>
          ) : null}
        </>
      )}

      {dialog?.kind === 'add' || dialog?.kind === 'edit' ? (
        <PersonDialog
          user={dialog.kind === 'edit' ? dialog.user : null}
          locations={locations}
          roles={roles}
          defaultLocationId={locationId}
          onClose={() => setDialog(null)}
          onSaved={done}
        />
      ) : null}
      {dialog?.kind === 'deactivate' ? (
        <DeactivateDialog user={dialog.user} onClose={() => setDialog(null)} onDone={done} />
      ) : null}
    </section>
  );
}
