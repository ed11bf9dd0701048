import { describe, expect, it } from 'vitest';
import type { User } from '../api';
import { peopleOf, rowsOf } from './view';
import type { WeekData } from './useWeekData';

const person = (id: number, first_name: string, last_name: string) =>
  ({ id, first_name, last_name, role_ids: [], location_ids: [1], active: true }) as unknown as User;

describe('the rows of the board', () => {
  it('sorts people by last name, then first name, from the names themselves (two-word first names too)', () => {
    const week: WeekData = {
      key: '1|2025-11-10|0',
      roles: [],
      shifts: [],
      timeOff: [],
      availability: [],
      degraded: false,
      people: [person(1, 'Jo Ann', 'Zed'), person(2, 'Bob', 'Baker'), person(3, 'Amy', 'Baker')],
    };
    const rows = rowsOf(week, [], peopleOf(week), { roleFilter: null, personFilter: null });
    expect(rows.map((r) => r.name)).toEqual(['Open shifts', 'Amy Baker', 'Bob Baker', 'Jo Ann Zed']);
  });
});
