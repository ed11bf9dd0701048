import type { GeneratedTimestamp, Timestamp } from '@shiftstack/service-kit';
import type { Generated, Selectable } from 'kysely';

export interface ShiftsDatabase {
  shifts: {
    id: Generated<number>;
    location_id: number;
    role_id: number | null;
    user_id: number | null;
    start_at: Timestamp;
    end_at: Timestamp;
    timezone: string;
    break_minutes: Generated<number>;
    notes: string | null;
    status: Generated<'draft' | 'published'>;
    published_at: Timestamp | null;
    deleted_at: Timestamp | null;
    version: Generated<number>;
    created_at: GeneratedTimestamp;
    updated_at: GeneratedTimestamp;
  };
  outbox: {
    id: Generated<string>;
    kind: string;
    user_id: number;
    payload: unknown;
    created_at: GeneratedTimestamp;
    attempts: Generated<number>;
    next_attempt_at: Generated<Timestamp>;
    last_error: string | null;
    delivered_at: Timestamp | null;
  };
}

/** Rows as read: timestamps are ISO 8601 text (service-kit's timestamps.ts). */
export type ShiftRow = Selectable<ShiftsDatabase['shifts']>;
