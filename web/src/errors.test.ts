import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { explainError } from './errors';
import type { Problem } from '@shiftstack/contract';

const p = (status: number, code: string, extra: Record<string, unknown> = {}): Problem => ({
  type: 'about:blank',
  title: code,
  status,
  code,
  ...extra,
});

describe('explainError', () => {
  it('names the person and the conflicting shift for an overlap', () => {
    const err = new ApiError(
      409,
      p(409, 'shift-overlap', {
        conflicting_shift_ids: [7],
        conflicts: [{ id: 7, user_id: 3, start: '2025-11-12T14:00:00Z', end: '2025-11-12T22:00:00Z' }],
      }),
    );
    const out = explainError(err, {
      personName: (id) => (id === 3 ? 'Maya Patel' : undefined),
      timeZone: 'America/Toronto',
    });
    expect(out.message).toContain('Maya Patel already works Wed 12 Nov, 09:00–17:00');
    expect(out.fields.start).toBeTruthy();
  });

  it('puts validation messages next to their fields', () => {
    const err = new ApiError(
      400,
      p(400, 'validation-failed', {
        errors: [
          { param: '/body/email', message: 'must match format "email"' },
          { param: 'first_name', message: 'must NOT have fewer than 1 characters' },
        ],
      }),
    );
    const out = explainError(err);
    expect(out.fields.email).toBe('Enter an email address like name@example.com.');
    expect(out.fields.first_name).toBe('First name is required.');
    expect(out.message).toMatch(/highlighted fields/);
  });

  it('explains an unreachable server, a busy upstream and a stale edit in plain words', () => {
    expect(explainError(new ApiError(0, null), { action: 'save the shift' }).message).toMatch(
      /couldn't reach the server, so we couldn't save the shift/,
    );
    expect(explainError(new ApiError(503, p(503, 'upstream-unavailable'), 5)).message).toMatch(
      /people service isn't answering.*Nothing was saved. Try again in 5 seconds/,
    );
    expect(explainError(new ApiError(412, p(412, 'version-mismatch'))).message).toMatch(
      /Someone else changed this/,
    );
    expect(
      explainError(new ApiError(422, p(422, 'inactive-assignee')), {
        assigneeId: 4,
        personName: () => 'Sam Lee',
      }).message,
    ).toMatch(/Sam Lee is deactivated/);
  });

  it('never shows a raw status for unknown server errors', () => {
    const out = explainError(new ApiError(500, p(500, 'internal-error')), { action: 'publish the week' });
    expect(out.message).toBe(
      "Something went wrong on the server and we couldn't publish the week. Please try again.",
    );
  });
});
