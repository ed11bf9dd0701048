// Who the development issuer knows: the audiences it issues tokens for and its clients.
/** The audiences (resource indicators) tokens are issued for. */
export const AUDIENCES = {
  /** People's tokens: both services' public APIs. */
  api: 'urn:shiftstack:api',
  /** shifts calling users. */
  users: 'urn:shiftstack:users',
  /** users calling shifts. */
  shifts: 'urn:shiftstack:shifts',
};

export const CLIENTS = {
  board: 'shiftstack-board',
  cli: 'shiftstack-cli',
  shifts: 'shiftstack-shifts',
  users: 'shiftstack-users',
};

/** The only loopback redirect `npm run token` uses (RFC 8252 loopback redirects may use any port). */
export const CLI_REDIRECT = 'http://127.0.0.1/callback';

/**
 * The settings a service needs to accept this issuer's tokens and to call the other service with its own
 * client credentials: what `npm start`, the tests and the benchmark give each service.
 */
export function serviceAuthEnv(
  service: 'users' | 'shifts',
  issuerUrl: string,
  secrets: { users: string; shifts: string },
  bootstrapAdmin?: string,
): Record<string, string> {
  const other = service === 'users' ? 'shifts' : 'users';
  return {
    AUTH_ISSUER: issuerUrl,
    AUTH_AUDIENCE: AUDIENCES.api,
    AUTH_SERVICE_AUDIENCE: AUDIENCES[service],
    AUTH_TRUSTED_CLIENTS: CLIENTS[other],
    AUTH_CLIENT_ID: CLIENTS[service],
    AUTH_CLIENT_SECRET: secrets[service],
    ...(service === 'users' && bootstrapAdmin ? { BOOTSTRAP_ADMIN_EMAIL: bootstrapAdmin } : {}),
  };
}
