import { useCallback, useEffect, useState, type MouseEvent } from 'react';
import { api, ApiError, type Location, type Me } from './api';
import { onSessionLost, renewOrSignIn, signedIn, signOut } from './auth';
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

type Session = { me: Me } | { refused: string } | null;

const ME_KEY = 'shiftstack.me';

/**
 * Who the signed-in person is. When the users service cannot answer, the same person's profile from this
 * browser's last visit stands in (not a token: names and access only), so the schedule still opens.
 */
async function whoAmI(email: string | undefined): Promise<Me> {
  try {
    const me = await api.me();
    try {
      localStorage.setItem(ME_KEY, JSON.stringify(me));
    } catch {
      // Storage disabled: only the offline fallback is lost.
    }
    return me;
  } catch (err) {
    const unavailable = !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
    const cached = unavailable ? readCachedMe() : null;
    if (cached && email && cached.email?.toLowerCase() === email.toLowerCase()) return cached;
    throw err;
  }
}

function readCachedMe(): Me | null {
  try {
    const raw = localStorage.getItem(ME_KEY);
    return raw ? (JSON.parse(raw) as Me) : null;
  } catch {
    return null;
  }
}

/** Signs in (or finishes signing in), then asks the users service who this is and what they may do. */
export function App() {
  const [session, setSession] = useState<Session>(null);
  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const user = await signedIn();
        if (!user) return; // on the way to the issuer's sign-in page
        const me = await whoAmI(user.profile.email);
        if (live) setSession({ me });
      } catch (err) {
        const message =
          err instanceof ApiError && err.status === 403
            ? `${err.message} Ask a manager to add you with this email address, or sign in as someone else.`
            : explainError(err, { action: 'sign in' }).message;
        if (live) setSession({ refused: message });
      }
    })();
    const stop = onSessionLost(() => void renewOrSignIn());
    return () => {
      live = false;
      stop();
    };
  }, []);
  if (!session)
    return (
      <p className="loading" role="status">
        Signing in…
      </p>
    );
  if ('refused' in session)
    return (
      <main id="main" className="notice notice-error" role="alert">
        <h1>You can&apos;t use the schedule</h1>
        <p>{session.refused}</p>
        <button type="button" className="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </main>
    );
  return <SignedInApp me={session.me} />;
}

const ACCESS_LABEL = { employee: 'Employee', manager: 'Manager', admin: 'Admin' } as const;

function SignedInApp({ me }: { me: Me }) {
  const { path, search } = useLocationState();
  const [state, setState] = useState<LocationsState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const employee = me.access === 'employee';

  const load = useCallback(async (signal?: AbortSignal) => {
    setError(null);
    try {
      const { data } = await api.locations(signal);
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

  const page = path.startsWith('/people') && !employee ? 'people' : 'board';
  const link = (to: string) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    // Keep the chosen location when moving between pages.
    const loc = search.get('location');
    navigate(loc ? `${to}?location=${loc}` : to);
  };

  useEffect(() => {
    document.title =
      page === 'people'
        ? 'People · Shiftstack'
        : employee
          ? 'My shifts · Shiftstack'
          : 'Schedule · Shiftstack';
  }, [page, employee]);

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
                {employee ? 'My shifts' : 'Schedule'}
              </a>
            </li>
            {employee ? null : (
              <li>
                <a
                  href="/people"
                  onClick={link('/people')}
                  aria-current={page === 'people' ? 'page' : undefined}
                >
                  People
                </a>
              </li>
            )}
          </ul>
        </nav>
        <div className="account">
          <span className="account-name">
            {me.first_name} {me.last_name}
            <span className="account-access"> · {ACCESS_LABEL[me.access]}</span>
          </span>
          <button type="button" className="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
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
              <PeoplePage locations={state.locations} search={search} me={me} />
            ) : (
              <Board
                locations={state.locations}
                search={search}
                me={me}
                onLocationSaved={(saved) =>
                  setState(
                    (s) => s && { ...s, locations: s.locations.map((l) => (l.id === saved.id ? saved : l)) },
                  )
                }
              />
            )}
          </>
        )}
      </main>
    </>
  );
}
