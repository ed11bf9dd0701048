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
