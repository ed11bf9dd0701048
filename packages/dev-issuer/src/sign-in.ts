// Signing in as a person without a browser: the authorization code flow with PKCE (openid-client) against
// the development issuer, choosing the person on its sign-in page as the board's user would. Used by
// `npm run token` and by the tests that act as a manager or an employee over real HTTP.
import * as oidc from 'openid-client';
import { CLI_REDIRECT, CLIENTS } from './clients';

export interface SignedIn {
  accessToken: string;
  expiresIn: number;
}

/**
 * Signs in as `email` at `issuerUrl`. `reachAt`: where to reach the issuer when its public URL does not
 * resolve from here (a cluster's issuer, by its Service address); its endpoints then follow that address.
 */
export async function signIn(issuerUrl: string, email: string, reachAt?: string): Promise<SignedIn> {
  const config = await retryOnce(() => configuration(issuerUrl, reachAt));
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const start = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CLI_REDIRECT,
    scope: 'openid email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const browser = cookieBrowser();
  let at = await browser.follow(start.href);
  if (!at.url.includes('/interaction/'))
    throw new Error(`the issuer did not ask who you are (${at.url}: ${at.status} ${at.body})`);
  at = await browser.follow(`${at.url}/login`, new URLSearchParams({ email }));
  if (!at.url.startsWith(CLI_REDIRECT)) throw new Error(`sign-in did not finish: ${at.status} ${at.body}`);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(at.url), {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { accessToken: tokens.access_token, expiresIn: tokens.expires_in ?? 0 };
}

async function configuration(issuerUrl: string, reachAt?: string): Promise<oidc.Configuration> {
  const insecure = new URL(reachAt ?? issuerUrl).protocol === 'http:';
  if (!reachAt)
    return oidc.discovery(new URL(issuerUrl), CLIENTS.cli, undefined, oidc.None(), {
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
  const res = await fetch(`${reachAt.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`the issuer at ${reachAt} answered ${res.status}`);
  const metadata = (await res.json()) as oidc.ServerMetadata;
  if (metadata.issuer !== issuerUrl)
    throw new Error(`${reachAt} is the issuer ${metadata.issuer}, not ${issuerUrl}`);
  const config = new oidc.Configuration(metadata, CLIENTS.cli, undefined, oidc.None());
  if (insecure) oidc.allowInsecureRequests(config);
  return config;
}

/** A request on a pooled connection to an issuer that just restarted fails once; a second one connects anew. */
async function retryOnce<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return call();
  }
}

/** Follows redirects by hand, keeping the issuer's cookies, and stops at the loopback redirect. */
function cookieBrowser() {
  const jar = new Map<string, string>();
  return {
    async follow(url: string, form?: URLSearchParams) {
      let next = url;
      let body: URLSearchParams | undefined = form;
      for (let hop = 0; hop < 10; hop++) {
        if (next.startsWith(CLI_REDIRECT)) return { url: next, status: 302, body: '' };
        const res = await retryOnce(() =>
          fetch(next, {
            method: body ? 'POST' : 'GET',
            redirect: 'manual',
            headers: {
              cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
              ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            },
            ...(body ? { body: body.toString() } : {}),
          }),
        );
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const eq = pair!.indexOf('=');
          jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
        }
        body = undefined;
        const location = res.headers.get('location');
        if (!location) {
          const text = await res.text();
          return { url: next.split('?')[0]!, status: res.status, body: text.slice(0, 300) };
        }
        next = new URL(location, next).href;
      }
      throw new Error('too many redirects while signing in');
    },
  };
}
