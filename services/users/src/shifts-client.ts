// What users needs from the shifts service, over HTTP with users' own identity: when a person is
// deactivated, their future shifts become open shifts (and shifts says which).
import type { UnassignResult } from '@shiftstack/contract';
import { createUpstreamClient, type Metrics, type ServiceCredentials } from '@shiftstack/service-kit';
import type { Logger } from 'pino';

export interface ShiftsClient {
  /** Opens every future shift of this person; answers their ids. Throws UpstreamUnavailable. */
  openFutureShifts(userId: number, requestId?: string): Promise<number[]>;
}

export function createShiftsClient(opts: {
  baseUrl: string;
  timeoutMs: number;
  credentials: ServiceCredentials;
  metrics?: Metrics;
  logger?: Logger;
}): ShiftsClient {
  const http = createUpstreamClient({ name: 'shifts', ...opts });
  return {
    async openFutureShifts(userId, requestId) {
      const result = await http.request<UnassignResult>('POST', '/api/v1/shifts/unassign', {
        requestId,
        idempotent: true, // a second call finds nothing left to open
        body: { user_id: userId },
      });
      return result.shift_ids;
    },
  };
}
