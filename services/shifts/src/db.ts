import type { Generated, Selectable } from 'kysely';

export interface ShiftsDatabase {
  shifts: {
    id: Generated<number>;
    location_id: number;
    role_id: number | null;
    user_id: number | null;
    start_at: Date | string;
    end_at: Date | string;
    timezone: string;
    break_minutes: Generated<number>;
    notes: string | null;
    status: Generated<'draft' | 'published'>;
    published_at: Date | string | null;
    deleted_at: Date | string | null;
    version: Generated<number>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
}

/** Rows as read: timestamps come back as Date. */
export type ShiftRow = Omit<
  Selectable<ShiftsDatabase['shifts']>,
  'start_at' | 'end_at' | 'published_at' | 'deleted_at'
> & {
  start_at: Date;
  end_at: Date;
  published_at: Date | null;
  deleted_at: Date | null;
};
