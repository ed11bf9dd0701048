// This service's own identity when it calls another: an OAuth 2.0 client-credentials access token from the
// same issuer, for the other service's audience (a resource indicator, RFC 8707) and only the scope it
// needs. The token is reused until shortly before it expires; openid-client does the protocol.
import * as oidc from 'openid-client';
import type { AuthConfig } from '../config';
import type { ServiceCredentials } from '../http/upstream-client';

export interface ClientCredentialsOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The other service's audience. */
  resource: string;
  scope: string;
  /**
   * The token endpoint, when the services reach the issuer at another address than its public URL (in a
   * cluster: its Service); otherwise found through the issuer's discovery document.
   */
  tokenEndpoint?: string;
  /** Renew this long before expiry, so a token never expires in flight. */
  renewBeforeMs?: number;
}

export function clientCredentials(opts: ClientCredentialsOptions): ServiceCredentials {
  let config: Promise<oidc.Configuration> | undefined;
  let current: { token: Promise<string>; expiresAt: number } | undefined;
  const discover = () => {
    if (opts.tokenEndpoint && !config) {
      const direct = new oidc.Configuration(
        { issuer: opts.issuer, token_endpoint: opts.tokenEndpoint },
        opts.clientId,
        opts.clientSecret,
      );
      if (new URL(opts.tokenEndpoint).protocol === 'http:') oidc.allowInsecureRequests(direct);
      config = Promise.resolve(direct);
    }
    config ??= oidc
      .discovery(new URL(opts.issuer), opts.clientId, opts.clientSecret, undefined, {
        // Plain http only for an issuer on this machine (npm start); anywhere else it must be https.
        ...(new URL(opts.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((err: unknown) => {
        config = undefined;
        throw err;
      });
    return config;
  };
  const fetchToken = async () => {
    const grant = await oidc.clientCredentialsGrant(await discover(), {
      scope: opts.scope,
      resource: opts.resource,
    });
    return { token: grant.access_token, lifetimeMs: (grant.expires_in ?? 60) * 1000 };
  };
  return {
    token() {
      if (!current || Date.now() >= current.expiresAt) {
        const entry = { expiresAt: Infinity } as { token: Promise<string>; expiresAt: number };
        entry.token = fetchToken().then(({ token, lifetimeMs }) => {
          entry.expiresAt = Date.now() + lifetimeMs - (opts.renewBeforeMs ?? 30_000);
          return token;
        });
        current = entry;
        entry.token.catch(() => {
          if (current === entry) current = undefined;
        });
      }
      return current.token;
    },
    invalidate() {
      current = undefined;
    },
  };
}

/** This service's own credentials (ServiceClientEnv) for calling another service's audience with one scope. */
export function ownCredentials(
  auth: AuthConfig,
  client: { AUTH_CLIENT_ID: string; AUTH_CLIENT_SECRET: string },
  target: { resource: string; scope: string },
): ServiceCredentials {
  return clientCredentials({
    issuer: auth.issuer,
    tokenEndpoint: auth.tokenEndpoint,
    clientId: client.AUTH_CLIENT_ID,
    clientSecret: client.AUTH_CLIENT_SECRET,
    ...target,
  });
}
