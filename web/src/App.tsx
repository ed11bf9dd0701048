import { useCallback, useEffect, useState, type MouseEvent } from 'react';
import { api, takePrefetchedLocations, type Location } from './api';
import { explainError } from './errors';
import { navigate, useLocationState } from './router';
import { Board } from './board/Board';
import { PeoplePage } from './people/PeoplePage';

const CACHE_KEY = 'shiftstack.locations';

function cachedLocations(): Location[] | null {
  try {
    const raw = localStorage.getItem(CACHE_KEY);
    return raw ? (JSON.parse(raw) as Location[]) : null;
  } catch {
    return null;
  }
}

export interface LocationsState {
  locations: Location[];
  /** True when the list comes from this browser's cache because the users service did not answer. */
  stale: boolean;
}

export function App() {
  const { path, search } = useLocationState();
  const [state, setState] = useState<LocationsState | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (signal?: AbortSignal) => {
    setError(null);
    try {
      const { data } = await (takePrefetchedLocations() ?? api.locations(signal));
      data.sort((a, b) => a.name.localeCompare(b.name));
      try {
        localStorage.setItem(CACHE_KEY, JSON.stringify(data));
      } catch {
        // Storage full or disabled: the cache is only a fallback.
      }
      setState({ locations: data, stale: false });
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      const cached = cachedLocations();
      if (cached && cached.length > 0) setState({ locations: cached, stale: true });
      else setError(explainError(err, { action: 'load the locations' }).message);
    }
  }, []);

  useEffect(() => {
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [load]);

  const page = path.startsWith('/people') ? 'people' : 'board';
  const link = (to: string) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    // Keep the chosen location when moving between pages.
    const loc = search.get('location');
    navigate(loc ? `${to}?location=${loc}` : to);
  };

  useEffect(() => {
    document.title = page === 'people' ? 'People · Shiftstack' : 'Schedule · Shiftstack';
  }, [page]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <a className="brand" href="/" onClick={link('/')}>
          <span className="brand-mark" aria-hidden="true" />
          Shiftstack
        </a>
        <nav aria-label="Main">
          <ul>
            <li>
              <a href="/" onClick={link('/')} aria-current={page === 'board' ? 'page' : undefined}>
                Schedule
              </a>
            </li>
            <li>
              <a
                href="/people"
                onClick={link('/people')}
                aria-current={page === 'people' ? 'page' : undefined}
              >
                People
              </a>
            </li>
          </ul>
        </nav>
      </header>
      <main id="main">
        {error ? (
          <div className="notice notice-error" role="alert">
            <p>{error}</p>
            <button type="button" className="button" onClick={() => void load()}>
              Try again
            </button>
          </div>
        ) : !state ? (
          <p className="loading" role="status">
            Loading…
          </p>
        ) : (
          <>
            {state.stale ? (
              <div className="notice notice-warn" role="status">
                The people service isn't answering, so names and some details may be missing. Shown from this
                browser's last visit.
              </div>
            ) : null}
            {page === 'people' ? (
              <PeoplePage locations={state.locations} search={search} />
            ) : (
              <Board locations={state.locations} search={search} />
            )}
          </>
        )}
      </main>
    </>
  );
}
