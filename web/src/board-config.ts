// Where the board signs in. In a cluster the web pod serves /config.json from its ConfigMap: the
// environment's own OpenID Connect issuer (staging and production: a real provider, the same AUTH_ISSUER
// the services trust) and the board's client id. Without one (`npm start`, or an older pod), the issuer is
// this origin's /auth, where the development issuer answers.
export const ISSUER_PATH = '/auth';
export const BOARD_CLIENT_ID = 'shiftstack-board';

export interface BoardConfig {
  /** The issuer's URL, without a trailing slash. */
  issuer: string;
  clientId: string;
}

export async function boardConfig(origin = location.origin, fetchImpl = fetch): Promise<BoardConfig> {
  const fallback = { issuer: `${origin}${ISSUER_PATH}`, clientId: BOARD_CLIENT_ID };
  try {
    const res = await fetchImpl(`${origin}/config.json`, {
      cache: 'no-store',
      headers: { accept: 'application/json' },
    });
    if (!res.ok || !/json/.test(res.headers.get('content-type') ?? '')) return fallback;
    const given = (await res.json()) as { issuer?: unknown; client_id?: unknown };
    if (typeof given.issuer !== 'string' || given.issuer === '') return fallback;
    return {
      // A path ("/auth") is on this origin; anything else is the provider's own URL.
      issuer: new URL(given.issuer, origin).href.replace(/\/+$/, ''),
      clientId: typeof given.client_id === 'string' && given.client_id ? given.client_id : BOARD_CLIENT_ID,
    };
  } catch {
    return fallback;
  }
}
