// Timestamps stay text from the database to the JSON: PostgreSQL writes a timestamptz as
// '2026-12-01 09:00:00.123456+00' (the session's TimeZone is UTC), and the API speaks
// '2026-12-01T09:00:00.123Z', which is the same instant rearranged. Parsing every value into a Date and
// printing it again with toISOString() was a quarter of the CPU of a week of shifts.
import type { ColumnType } from 'kysely';
import pg from 'pg';

export const TIMESTAMPTZ_OID = 1184;

/** A timestamptz column: read as ISO 8601 text; written from a Date or ISO text. */
export type Timestamp = ColumnType<string, Date | string, Date | string>;
/** A timestamptz column with a default (now()). */
export type GeneratedTimestamp = ColumnType<string, Date | string | undefined, Date | string>;

const parseWithDate = pg.types.getTypeParser(TIMESTAMPTZ_OID);

/**
 * PostgreSQL's text for a timestamptz, as `Date.prototype.toISOString()` would print it: milliseconds
 * (truncated, as a Date would hold them) and Z. Values in another zone, or out of range, take the slow road.
 */
export function isoTimestamp(text: string): string {
  // By position: 'YYYY-MM-DD HH:MM:SS+00' and 'YYYY-MM-DD HH:MM:SS.f+00' to '...SS.ffffff+00', all that
  // PostgreSQL writes for a timestamptz in UTC between the years 1000 and 9999.
  const n = text.length;
  if (n >= 22 && n <= 29 && text.charCodeAt(10) === 32 && text.charCodeAt(4) === 45 && text.endsWith('+00')) {
    if (n === 22) return `${text.slice(0, 10)}T${text.slice(11, 19)}.000Z`;
    if (n >= 24 && text.charCodeAt(19) === 46)
      return `${text.slice(0, 10)}T${text.slice(11, 19)}.${text
        .slice(20, n - 3)
        .padEnd(3, '0')
        .slice(0, 3)}Z`;
  }
  return (parseWithDate(text) as Date).toISOString();
}
