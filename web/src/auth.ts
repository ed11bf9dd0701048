// Signing in: the authorization code flow with PKCE against the OpenID Connect issuer (oidc-client-ts).
// Tokens live in memory only (never localStorage): a reload signs in again, which the issuer's own session
// makes a quick round trip. While the page is open the access token is renewed with the refresh token
// before it expires; when renewal fails the board returns to sign-in.
import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User as OidcUser } from 'oidc-client-ts';
import { boardConfig } from './board-config';
import { forgetBrowserData } from './browser-data';

let manager: Promise<UserManager> | null = null;

/** The sign-in client, for the issuer this environment configures (board-config.ts). */
function userManager(): Promise<UserManager> {
  manager ??= boardConfig().then(
    ({ issuer, clientId }) =>
      new UserManager({
        authority: issuer,
        client_id: clientId,
        redirect_uri: `${location.origin}/`,
        post_logout_redirect_uri: `${location.origin}/`,
        response_type: 'code',
        scope: 'openid email',
        userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
        automaticSilentRenew: true,
      }),
  );
  return manager;
}

const returningFromIssuer = () => {
  const q = new URLSearchParams(location.search);
  return q.has('state') && (q.has('code') || q.has('error'));
};

/**
 * The signed-in session: finishes a sign-in the issuer just sent back, or starts one (the page navigates
 * away and this resolves with null).
 */
let session: Promise<OidcUser | null> | null = null;

export function signedIn(): Promise<OidcUser | null> {
  // Once per page: an authorization code can be exchanged only once (React may run effects twice).
  session ??= establish();
  return session;
}

async function establish(): Promise<OidcUser | null> {
  const um = await userManager();
  if (returningFromIssuer()) {
    const user = await um.signinRedirectCallback();
    const back = (user.state as { returnTo?: string } | undefined)?.returnTo ?? '/';
    history.replaceState(null, '', back.startsWith('/') ? back : '/');
    return user;
  }
  const user = await um.getUser();
  if (user && !user.expired) return user;
  await um.signinRedirect({ state: { returnTo: location.pathname + location.search } });
  return null;
}

/** The current access token, or null before sign-in. */
export async function accessToken(): Promise<string | null> {
  if (!manager) return null;
  const user = await (await manager).getUser();
  return user && !user.expired ? user.access_token : null;
}

/** After a 401: try once to renew quietly; otherwise go back to sign-in. Resolves true when renewed. */
export async function renewOrSignIn(): Promise<boolean> {
  if (!manager) return false;
  const um = await manager;
  try {
    await um.signinSilent();
    return true;
  } catch {
    await um.removeUser();
    await um.signinRedirect({ state: { returnTo: location.pathname + location.search } });
    return false;
  }
}

export async function signOut(): Promise<void> {
  const um = await userManager();
  const user = await um.getUser();
  await um.removeUser();
  forgetBrowserData();
  await um.signoutRedirect({ id_token_hint: user?.id_token });
}

/** When silent renewal fails while the page is open, go back to sign-in rather than fail every call. */
export function onSessionLost(handler: () => void): () => void {
  const um = userManager();
  void um.then((m) => m.events.addSilentRenewError(handler));
  return () => void um.then((m) => m.events.removeSilentRenewError(handler));
}
