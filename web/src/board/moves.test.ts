import { describe, expect, it } from 'vitest';
import { shift } from '../test/mock-fetch';
import { moveOf } from './moves';

// Toronto: Wednesday 12 Nov 2025, 09:00-17:00 local, Maya's (3).
const wed = shift(100, 3, '2025-11-12T14:00:00Z', '2025-11-12T22:00:00Z');
const tz = 'America/Toronto';

describe('moveOf: what dropping a shift on a cell asks for', () => {
  it('another day: the same local times on that day, same person', () => {
    expect(moveOf(wed, { userId: 3, day: '2025-11-14', label: '' }, tz)).toMatchObject({
      patch: { start: '2025-11-14T14:00:00Z', end: '2025-11-14T22:00:00Z' },
      moved: { user_id: 3, start: '2025-11-14T14:00:00Z' },
    });
  });

  it('across the end of daylight saving time, still 09:00 local', () => {
    const oct = shift(101, 3, '2025-10-31T13:00:00Z', '2025-10-31T21:00:00Z');
    expect(moveOf(oct, { userId: 3, day: '2025-11-03', label: '' }, tz)?.patch).toEqual({
      start: '2025-11-03T14:00:00Z',
      end: '2025-11-03T22:00:00Z',
    });
  });

  it('another person the same day: only the assignee; the open row makes it open', () => {
    expect(moveOf(wed, { userId: 4, day: '2025-11-12', label: '' }, tz)?.patch).toEqual({ user_id: 4 });
    expect(moveOf(wed, { userId: null, day: '2025-11-12', label: '' }, tz)?.patch).toEqual({ user_id: null });
  });

  it('where it was: nothing to do', () => {
    expect(moveOf(wed, { userId: 3, day: '2025-11-12', label: '' }, tz)).toBeNull();
  });
});
