import { describe, expect, it } from 'vitest';
import { formatTimeRange, formatWeekRange, shiftInstants, toIso } from './time';

// The arithmetic itself is the contract's (packages/contract/src/time.test.ts); this is how the board shows it.
describe('days and times as the board shows them', () => {
  it('shows a week as a range, across a month or a year', () => {
    expect(formatWeekRange('2025-11-10')).toBe('10 – 16 Nov 2025');
    expect(formatWeekRange('2025-12-29')).toBe('29 Dec 2025 – 4 Jan 2026');
  });

  it('marks a shift that ends the next day', () => {
    const { start, end } = shiftInstants('2025-11-12', '22:00', '06:00', 'America/Toronto');
    expect(formatTimeRange(toIso(start), toIso(end), 'America/Toronto')).toBe('22:00–06:00 (+1)');
  });
});
