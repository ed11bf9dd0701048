// The tests' identity provider: the project's development issuer (oidc-provider) on loopback, one per test
// process, with tokens got the way the board and `npm run token` get them (authorization code + PKCE).
// Services under test are configured for it exactly as `npm start` configures them.
import { randomBytes } from 'node:crypto';
import { serviceAuthEnv, signIn, startDevIssuer, type DevIssuer } from '@shiftstack/dev-issuer';

export const TEST_ADMIN = 'admin@shiftstack.test';

let issuer: Promise<{ issuer: DevIssuer; secrets: { shifts: string; users: string } }> | undefined;

export function testIssuer() {
  issuer ??= (async () => {
    const secrets = { shifts: randomBytes(18).toString('hex'), users: randomBytes(18).toString('hex') };
    const started = await startDevIssuer({ boardUrls: ['http://127.0.0.1:8080'], serviceSecrets: secrets });
    process.once('exit', () => void started.close());
    return { issuer: started, secrets };
  })();
  return issuer;
}

/** The settings a service needs to verify tokens from the test issuer and to call the other service. */
export async function authEnv(service: 'users' | 'shifts'): Promise<Record<string, string>> {
  const { issuer: i, secrets } = await testIssuer();
  return serviceAuthEnv(service, i.url, secrets, TEST_ADMIN);
}

const tokens = new Map<string, { token: string; until: number }>();

/**
 * An access token for this person, signed in through the issuer's sign-in page (the test issuer, or
 * `issuerUrl`, e.g. a started system's); reused while fresh.
 */
export async function tokenFor(email: string, issuerUrl?: string): Promise<string> {
  const issuer = issuerUrl ?? (await testIssuer()).issuer.url;
  const key = `${issuer} ${email}`;
  const hit = tokens.get(key);
  if (hit && hit.until > Date.now()) return hit.token;
  const { accessToken, expiresIn } = await signIn(issuer, email);
  tokens.set(key, { token: accessToken, until: Date.now() + (expiresIn - 60) * 1000 });
  return accessToken;
}

export const bearer = async (email: string) => ({ authorization: `Bearer ${await tokenFor(email)}` });

/** Marks a request to be sent with no Authorization header at all. */
export const ANONYMOUS = { authorization: undefined } as unknown as Record<string, string>;

/** Marks a PATCH or DELETE to be sent with no If-Match, where `actingAs` would add the current ETag. */
export const WITHOUT_IF_MATCH = { 'if-match': undefined } as unknown as Record<string, string>;

type InjectArg = string | { headers?: Record<string, unknown>; [k: string]: unknown };

/**
 * Makes `app.inject` act as `headers` unless the test sends its own Authorization. With `currentEtag`,
 * a PATCH or DELETE without If-Match first reads the resource and sends its ETag, as the board does, so
 * that only the tests about If-Match itself spell it out. A header the test sets to undefined
 * (`ANONYMOUS`, `WITHOUT_IF_MATCH`) is not sent at all.
 */
export function actingAs(
  app: { inject: unknown },
  headers: Record<string, string>,
  currentEtag = false,
): void {
  const raw = (app.inject as (o: unknown) => Promise<{ headers: Record<string, unknown> }>).bind(app);
  type Request = { method?: string; url?: string; headers: Record<string, unknown> };
  const withAuth = (o: InjectArg) => {
    const given = typeof o === 'string' ? { url: o } : o;
    const merged: Record<string, unknown> = { ...headers, ...given.headers };
    for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
    return { ...given, headers: merged };
  };
  app.inject = async (o: InjectArg) => {
    const request: Request = withAuth(o);
    const method = String(request.method ?? 'GET').toUpperCase();
    const unset = typeof o !== 'string' && o.headers !== undefined && 'if-match' in o.headers;
    if (currentEtag && (method === 'PATCH' || method === 'DELETE') && !unset) {
      const etag = (await raw({ url: request.url, headers: request.headers })).headers.etag;
      if (etag) request.headers['if-match'] = etag;
    }
    return raw(request);
  };
}

/**
 * Makes every `fetch` to an /api/ path in this test file carry `token()`'s bearer token unless it sends its
 * own Authorization; other requests (probes, the issuer) go out as they are.
 */
export function fetchAs(token: () => Promise<string | undefined>): void {
  const plain = globalThis.fetch;
  const signed: typeof fetch = async (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers = new Headers(init?.headers);
    const bearer =
      new URL(href).pathname.startsWith('/api/') && !headers.has('authorization') && (await token());
    if (bearer) headers.set('authorization', `Bearer ${bearer}`);
    return plain(input, { ...init, headers });
  };
  globalThis.fetch = signed;
}

/** The test admin's token from the test issuer (for services started with startServiceProcess). */
export const asTestAdmin = () => tokenFor(TEST_ADMIN);
