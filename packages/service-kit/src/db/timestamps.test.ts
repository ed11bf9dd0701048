import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TIMESTAMPTZ_OID, isoTimestamp } from './timestamps';

const viaDate = (text: string) => (pg.types.getTypeParser(TIMESTAMPTZ_OID)(text) as Date).toISOString();

describe('isoTimestamp', () => {
  it('prints what a Date would, for whole seconds and every fraction PostgreSQL writes', () => {
    for (const text of [
      '2026-12-01 09:00:00+00',
      '2026-12-01 09:00:00.5+00',
      '2026-12-01 09:00:00.123+00',
      '2026-12-01 09:00:00.123456+00',
      '1999-12-31 23:59:59.999999+00',
    ])
      expect(isoTimestamp(text)).toBe(viaDate(text));
  });

  it('agrees with the Date road for any instant in UTC', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (date, micros) => {
          const text = `${date.toISOString().slice(0, 19).replace('T', ' ')}.${String(date.getUTCMilliseconds()).padStart(3, '0')}${String(micros).padStart(3, '0')}+00`;
          expect(isoTimestamp(text)).toBe(viaDate(text));
        },
      ),
    );
  });

  it('takes the slow road for another zone', () => {
    expect(isoTimestamp('2026-12-01 09:00:00+05:30')).toBe('2026-12-01T03:30:00.000Z');
  });
});
