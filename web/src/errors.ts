// Turns API failures (problem+json) into sentences a manager understands, plus per-field messages so the
// words can sit next to the control that failed.
import { ApiError } from './api';
import { formatDay, formatTimeRange, dayKeyInZone } from './time';

export interface Explained {
  /** The sentence shown at the top of the form (or next to the button that failed). */
  message: string;
  /** Messages for individual fields, keyed by the API's param name (e.g. "email", "end"). */
  fields: Record<string, string>;
}

export interface ExplainContext {
  /** Names of people by id, to say who is double-booked. */
  personName?: (id: number) => string | undefined;
  /** The location's time zone, to print the conflicting shift's day and times. */
  timeZone?: string;
  /** What was being done, e.g. "save the shift". */
  action?: string;
  /** The person the form tried to assign, when the problem doesn't name them. */
  assigneeId?: number | null;
}

const FIELD_LABELS: Record<string, string> = {
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email',
  mobile_number: 'Mobile number',
  hire_date: 'Hire date',
  type: 'Type',
  location_ids: 'Locations',
  role_ids: 'Roles',
  inactive_reason: 'Reason',
  start: 'Start',
  end: 'End',
  break_minutes: 'Break',
  notes: 'Notes',
  user_id: 'Person',
  role_id: 'Role',
  location_id: 'Location',
};

/** "/body/email" or "body.email" or "email" -> "email" */
export function fieldOf(param: string | undefined): string | undefined {
  if (!param) return undefined;
  const parts = param.split(/[./]/).filter((p) => p && p !== 'body' && p !== 'query' && p !== 'params');
  return parts[0];
}

function plainFieldMessage(field: string, message: string): string {
  const label = FIELD_LABELS[field] ?? field.replace(/_/g, ' ');
  const m = message.trim();
  if (/format "email"|must match format "email"/i.test(m))
    return 'Enter an email address like name@example.com.';
  if (/must match format "date"/i.test(m)) return `${label} must be a date.`;
  if (/must match pattern/i.test(m) && field === 'mobile_number')
    return 'Use digits, spaces and + ( ) - only, e.g. +1 416 555 0100.';
  if (/fewer than 1 characters|minLength|must not be empty|required/i.test(m)) return `${label} is required.`;
  if (/more than (\d+) characters/i.test(m)) return `${label} is too long.`;
  // Fall back to the API's message, with its first letter capitalised.
  return m ? m.charAt(0).toUpperCase() + m.slice(1) : `${label} is not valid.`;
}

function seconds(n: number | null): string {
  if (!n) return 'in a moment';
  return n === 1 ? 'in a second' : `in ${n} seconds`;
}

export function explainError(err: unknown, ctx: ExplainContext = {}): Explained {
  const action = ctx.action ?? 'do that';
  if (!(err instanceof ApiError)) {
    return { message: `Something went wrong and we couldn't ${action}. Please try again.`, fields: {} };
  }
  const p = err.problem;
  const code = p?.code;
  const fields: Record<string, string> = {};
  const name = (id: number | null | undefined) =>
    (id != null && ctx.personName?.(id)) || (id != null ? `Person #${id}` : 'This person');

  if (err.status === 0) {
    return {
      message: `We couldn't reach the server, so we couldn't ${action}. Check your connection and try again.`,
      fields,
    };
  }

  switch (code) {
    case 'shift-overlap': {
      const conflicts =
        (p?.conflicts as Array<{ id: number; user_id: number; start: string; end: string }>) ?? [];
      const c = conflicts[0];
      if (c && ctx.timeZone) {
        const day = formatDay(dayKeyInZone(new Date(c.start), ctx.timeZone));
        const times = formatTimeRange(c.start, c.end, ctx.timeZone);
        const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more)` : '';
        const message = `${name(c.user_id)} already works ${day}, ${times}${more}. One person can't have two shifts at the same time: change the times or pick someone else.`;
        fields.start = 'Overlaps another shift for this person.';
        return { message, fields };
      }
      return {
        message: 'This person already has a shift at that time. Change the times or pick someone else.',
        fields,
      };
    }
    case 'inactive-assignee':
      fields.user_id = 'This person has been deactivated.';
      return {
        message: `${name(numberParam(p?.user_id) ?? ctx.assigneeId)} is deactivated and can't take shifts. Pick someone else or leave the shift open.`,
        fields,
      };
    case 'assignee-on-leave':
      // The service names the person and the days off in plain words.
      fields.user_id = 'On approved time off then.';
      return { message: p?.detail ?? 'This person is on approved time off then.', fields };
    case 'assignee-lacks-role':
      fields.role_id = "Doesn't have this role.";
      return { message: p?.detail ?? "This person doesn't have the shift's role.", fields };
    case 'unknown-assignee':
      fields.user_id = 'This person no longer exists.';
      return {
        message: "We couldn't find that person. Reload the page and pick someone from the list.",
        fields,
      };
    case 'assignee-not-at-location':
      fields.user_id = 'Not at this location.';
      return {
        message: `${name(numberParam(p?.user_id) ?? ctx.assigneeId)} doesn't work at this location. Add the location on the People page, or pick someone else.`,
        fields,
      };
    case 'unknown-role':
      fields.role_id = 'This role no longer exists.';
      return {
        message: "That role doesn't exist at this location any more. Reload the page and pick another.",
        fields,
      };
    case 'unknown-location':
      return { message: "That location doesn't exist any more. Reload the page.", fields };
    case 'upstream-unavailable':
      return {
        message: `The people service isn't answering, so we couldn't check who works this shift. Nothing was saved. Try again ${seconds(err.retryAfterSeconds)}.`,
        fields,
      };
    case 'database-unavailable':
    case 'not-ready':
      return {
        message: `The server is busy, so we couldn't ${action}. Try again ${seconds(err.retryAfterSeconds)}.`,
        fields,
      };
    case 'rate-limited':
      return {
        message: `Too many changes at once. Wait a moment and try again ${seconds(err.retryAfterSeconds)}.`,
        fields,
      };
    case 'version-mismatch':
      return {
        message:
          'Someone else changed this while you were editing. Close this window to see their changes, then try again.',
        fields,
      };
    case 'email-taken':
      fields.email = 'Another person already uses this email.';
      return { message: 'Another person already uses this email address.', fields };
    case 'name-taken':
      return { message: 'That name is already taken.', fields };
    case 'shift-deleted':
    case 'not-found':
      return {
        message: 'This was deleted by someone else. Close this window to see the latest schedule.',
        fields,
      };
    case 'window-too-wide':
    case 'window-required':
      return { message: 'That range of dates is too wide to show at once.', fields };
    case 'validation-failed':
    case 'malformed-body':
    default: {
      for (const e of p?.errors ?? []) {
        const f = fieldOf(e.param);
        if (f && !fields[f]) fields[f] = plainFieldMessage(f, e.message);
      }
      const f = fieldOf(p?.param);
      if (f && !fields[f]) fields[f] = plainFieldMessage(f, p?.detail ?? '');
      if (Object.keys(fields).length > 0) {
        return { message: 'Some details need fixing: see the highlighted fields.', fields };
      }
      if (err.status >= 500) {
        return {
          message: `Something went wrong on the server and we couldn't ${action}. Please try again.`,
          fields,
        };
      }
      return { message: p?.detail ?? p?.title ?? `We couldn't ${action}.`, fields };
    }
  }
}

function numberParam(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
