// A development OpenID Connect provider (oidc-provider) for `npm start` and the dev cluster: the board
// signs in with the authorization code flow and PKCE, the services get client-credentials tokens for each
// other, and `npm run token` prints a token for curl. Signing in is picking a person (or typing an email):
// there are no passwords, which is why it refuses to run with NODE_ENV=production. Which person an email
// belongs to, and what they may do, is decided by the services, never here.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { AUDIENCES, CLI_REDIRECT, CLIENTS } from './clients';

export interface DemoAccount {
  email: string;
  name: string;
  access: string;
  location?: string;
}

export interface DevIssuerOptions {
  port?: number;
  host?: string;
  /** The issuer URL tokens carry; default http://<host>:<port>. */
  publicUrl?: string;
  /** Where the board is served (its redirect and sign-out targets). */
  boardUrls: string[];
  /** The client secrets the services authenticate with. */
  serviceSecrets: { shifts: string; users: string };
  /** The scope each service may ask for (tests narrow it to show a wrong-scope token is refused). */
  serviceScopes?: { shifts?: string; users?: string };
  /** People offered on the sign-in page. */
  accounts?: () => DemoAccount[];
  /** The signing key (a private JWK with kid); a fresh one by default. */
  signingKey?: JWK;
  accessTokenSeconds?: number;
}

export interface DevIssuer {
  url: string;
  signingKey: JWK;
  close(): Promise<void>;
}

export async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: randomBytes(6).toString('hex'), alg: 'ES256', use: 'sig' };
}

export async function startDevIssuer(opts: DevIssuerOptions): Promise<DevIssuer> {
  if (process.env.NODE_ENV === 'production')
    throw new Error('the development issuer has no passwords and refuses to run with NODE_ENV=production');
  const host = opts.host ?? '127.0.0.1';
  const signingKey = opts.signingKey ?? (await newSigningKey());
  const server = createServer();
  await new Promise<void>((ok) => server.listen(opts.port ?? 0, host, ok));
  const port = (server.address() as AddressInfo).port;
  const url = (opts.publicUrl ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(
    /\/$/,
    '',
  );
  // Behind a front door the issuer lives under a path (http://localhost:8080/auth); requests arrive with
  // it, and oidc-provider wants them without it and the path in originalUrl.
  const base = new URL(url).pathname.replace(/\/$/, '');
  const provider = new Provider(url, configuration(opts, signingKey, base));
  provider.proxy = true;
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    if (base && req.url?.startsWith(base)) {
      req.originalUrl = req.url;
      req.url = req.url.slice(base.length) || '/';
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(path);
    if (!interaction) return callback(req, res);
    const handle = interaction[2]
      ? login(provider, req, res)
      : prompt(provider, req, res, base, opts.accounts);
    handle.catch((err: unknown) => {
      res.statusCode = err instanceof errors.SessionNotFound ? 400 : 500;
      res.setHeader('content-type', 'text/plain');
      res.end(`Sign-in failed: ${(err as Error).message}. Start again from the board.`);
    });
  });
  return {
    url,
    signingKey,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function configuration(opts: DevIssuerOptions, signingKey: JWK, base: string): Configuration {
  const scopes = {
    [CLIENTS.shifts]: opts.serviceScopes?.shifts ?? 'users:read',
    [CLIENTS.users]: opts.serviceScopes?.users ?? 'shifts:unassign',
  };
  const serviceAudience: Record<string, string> = {
    [CLIENTS.shifts]: AUDIENCES.users,
    [CLIENTS.users]: AUDIENCES.shifts,
  };
  const jwt = {
    accessTokenFormat: 'jwt' as const,
    jwt: { sign: { alg: 'ES256' as const } },
  };
  const origins = opts.boardUrls.map((u) => new URL(u).origin);
  return {
    clients: [
      {
        client_id: CLIENTS.board,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: origins.map((o) => `${o}/`),
        post_logout_redirect_uris: origins.map((o) => `${o}/`),
      },
      {
        client_id: CLIENTS.cli,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [CLI_REDIRECT],
        application_type: 'native',
      },
      ...(['shifts', 'users'] as const).map((service) => ({
        client_id: CLIENTS[service],
        client_secret: opts.serviceSecrets[service],
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    jwks: { keys: [signingKey] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'users:read', 'shifts:unassign', 'api'],
    pkce: { required: () => true },
    renderError: (ctx, out) => {
      ctx.type = 'text';
      ctx.body = `Sign-in failed: ${String(out.error)}: ${String(out.error_description ?? '')}`;
    },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: id, email_verified: true }),
    }),
    // The services bind a person's first sign-in by a verified email; put it in the access token, not
    // only the ID token. The demo people's emails are the development issuer's to vouch for.
    extraTokenClaims: (_ctx, token) =>
      'accountId' in token && token.accountId ? { email: token.accountId, email_verified: true } : undefined,
    // Refresh tokens let the board renew silently while it is open (it keeps them in memory only).
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `${base}/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: opts.accessTokenSeconds ?? 300,
      ClientCredentials: 120,
      RefreshToken: 8 * 3600,
      Session: 8 * 3600,
      Interaction: 600,
      Grant: 8 * 3600,
      IdToken: 300,
      AuthorizationCode: 60,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true, logoutSource: autoSubmitLogout },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, client, oneOf) =>
          oneOf ?? (client.clientId in serviceAudience ? serviceAudience[client.clientId]! : AUDIENCES.api),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: KoaContextWithOIDC, resource: string, client) => {
          if (resource === AUDIENCES.api && !(client.clientId in scopes))
            return { scope: 'api', audience: AUDIENCES.api, ...jwt };
          if (serviceAudience[client.clientId] === resource)
            return { scope: scopes[client.clientId]!, audience: resource, ...jwt };
          throw new errors.InvalidTarget();
        },
      },
    },
  };
}

/** Sign-out needs no confirmation from a development issuer: submit the provider's own form at once. */
async function autoSubmitLogout(ctx: KoaContextWithOIDC, form: string) {
  ctx.type = 'html';
  ctx.body = `<!doctype html><title>Signing out</title><body>${form.replace(
    '</form>',
    '<input type="hidden" name="logout" value="yes"></form>',
  )}<script>document.forms[0].submit()</script></body>`;
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The sign-in page (login prompt), or the first-party consent, which is granted without asking. */
async function prompt(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  base: string,
  accounts: DevIssuerOptions['accounts'],
) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'consent') {
    const grant = details.grantId
      ? (await provider.Grant.find(details.grantId))!
      : new provider.Grant({
          accountId: details.session!.accountId,
          clientId: String(details.params.client_id),
        });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    return provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  }
  const action = `${base}/interaction/${escape(details.uid)}/login`;
  const people = (accounts?.() ?? [])
    .map(
      (a) =>
        `<li><button name="email" value="${escape(a.email)}">${escape(a.name)}</button> <span>${escape(a.access)}${a.location ? `, ${escape(a.location)}` : ''} · ${escape(a.email)}</span></li>`,
    )
    .join('');
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · shiftstack (development)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem}ul{list-style:none;padding:0}li{margin:.4rem 0}button{font:inherit;padding:.3rem .7rem}span{color:#555}</style></head>
<body><main><h1>Sign in to shiftstack</h1>
<p><strong>Development sign-in:</strong> there are no passwords. Pick a person, or type the email of anyone in the users service.</p>
<form method="post" action="${action}">${people ? `<h2>Demo people</h2><ul>${people}</ul>` : ''}</form>
<form method="post" action="${action}"><label for="email">Email</label> <input id="email" name="email" type="email" required autocomplete="username"> <button type="submit">Sign in</button></form>
</main></body></html>`);
}

async function login(provider: Provider, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const email = new URLSearchParams(Buffer.concat(chunks).toString()).get('email')?.trim().toLowerCase();
  if (!email || !email.includes('@') || email.length > 155) {
    res.statusCode = 400;
    res.setHeader('content-type', 'text/plain');
    return res.end('Type an email address.');
  }
  return provider.interactionFinished(
    req,
    res,
    { login: { accountId: email } },
    { mergeWithLastSubmission: false },
  );
}
