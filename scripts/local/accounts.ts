/** The first admin of a local system: sign in as this person to add everyone else. */
export const LOCAL_ADMIN = 'admin@shiftstack.localhost';
