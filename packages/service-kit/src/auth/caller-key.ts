import type { Principal } from '@shiftstack/contract';

/** One caller, as a short stable key: a person by id, a service by its client id (rate limits, idempotency). */
export const callerKey = (caller: Principal): string =>
  caller.kind === 'person' ? `person:${caller.id}` : `client:${caller.client_id}`;
