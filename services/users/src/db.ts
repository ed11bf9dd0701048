// The users database, as Kysely sees it.
import type { GeneratedTimestamp, Timestamp } from '@shiftstack/service-kit';
import type { Generated } from 'kysely';

export interface UsersDatabase {
  locations: {
    id: Generated<number>;
    name: string;
    timezone: string;
    overtime_hours_per_week: Generated<number>;
    min_rest_hours: Generated<number>;
    version: Generated<number>;
    created_at: GeneratedTimestamp;
    updated_at: GeneratedTimestamp;
  };
  roles: {
    id: Generated<number>;
    location_id: number;
    name: string;
    created_at: GeneratedTimestamp;
    updated_at: GeneratedTimestamp;
  };
  users: {
    id: Generated<number>;
    first_name: string;
    last_name: string;
    email: string | null;
    mobile_number: string | null;
    type: Generated<'employee' | 'asst_manager' | 'manager' | 'employer'>;
    active: Generated<boolean>;
    inactive_reason: string | null;
    hire_date: string | null;
    version: Generated<number>;
    availability_version: Generated<number>;
    created_at: GeneratedTimestamp;
    updated_at: GeneratedTimestamp;
  };
  identities: { issuer: string; subject: string; user_id: number; bound_at: GeneratedTimestamp };
  user_locations: { user_id: number; location_id: number };
  user_roles: { user_id: number; role_id: number };
  availability_windows: { user_id: number; weekday: number; start_time: string; end_time: string };
  time_off: {
    id: Generated<number>;
    user_id: number;
    start_date: string;
    end_date: string;
    reason: string | null;
    status: Generated<'requested' | 'approved' | 'declined'>;
    decided_by: number | null;
    decided_at: Timestamp | null;
    version: Generated<number>;
    created_at: GeneratedTimestamp;
    updated_at: GeneratedTimestamp;
  };
}
