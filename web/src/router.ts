import { useEffect, useState } from 'react';

// A tiny history-API router: two pages do not need a library. The front door and nginx fall back to
// index.html for unknown paths, so deep links and reloads work.
const listeners = new Set<() => void>();

export function navigate(to: string, { replace = false } = {}): void {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  listeners.forEach((l) => l());
}

export function useLocationState(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((t) => t + 1);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

/** Replace some query parameters of the current URL (null removes one). */
export function setQuery(changes: Record<string, string | null>, opts: { replace?: boolean } = {}): void {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) params.delete(k);
    else params.set(k, v);
  }
  const s = params.toString();
  navigate(`${location.pathname}${s ? `?${s}` : ''}`, opts);
}
