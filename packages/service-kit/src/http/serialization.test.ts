import { ShiftPage } from '@shiftstack/contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forSerialization, serializerCompiler } from './serialization';

const serializer = (schema: unknown) =>
  serializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' });

describe('serialization', () => {
  it('turns "this or null" into a nullable type and a union of constants into an enum', () => {
    expect(
      forSerialization({
        type: 'object',
        properties: {
          at: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }], description: 'when' },
          status: {
            anyOf: [
              { const: 'draft', type: 'string' },
              { const: 'published', type: 'string' },
            ],
          },
          either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        },
      }),
    ).toEqual({
      type: 'object',
      properties: {
        at: { type: 'string', format: 'unsafe', nullable: true, description: 'when' },
        status: { type: 'string', enum: ['draft', 'published'] },
        either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      },
    });
  });

  it('leaves the schema it was given as it was (OpenAPI and validation use it)', () => {
    const before = JSON.stringify(ShiftPage);
    forSerialization(ShiftPage);
    expect(JSON.stringify(ShiftPage)).toBe(before);
  });

  it('writes a page of shifts exactly as JSON.stringify would', () => {
    const timestamp = fc
      .date({ noInvalidDate: true, min: new Date('2000-01-01') })
      .map((d) => d.toISOString());
    const id = fc.integer({ min: 1, max: 1_000_000 });
    const shift = fc.record({
      id,
      location_id: id,
      role_id: fc.option(id, { nil: null }),
      user_id: fc.option(id, { nil: null }),
      start: timestamp,
      end: timestamp,
      timezone: fc.constantFrom('UTC', 'America/Toronto'),
      break_minutes: fc.integer({ min: 0, max: 120 }),
      notes: fc.option(fc.string(), { nil: null }),
      status: fc.constantFrom('draft' as const, 'published' as const),
      published_at: fc.option(timestamp, { nil: null }),
      deleted_at: fc.option(timestamp, { nil: null }),
      version: fc.integer({ min: 1, max: 100 }),
      created_at: timestamp,
      updated_at: timestamp,
      assignee: fc.option(fc.record({ id, first_name: fc.string(), last_name: fc.string() }), { nil: null }),
    });
    const write = serializer(ShiftPage);
    fc.assert(
      fc.property(fc.array(shift, { maxLength: 5 }), (data) => {
        const page = { data, meta: { cursor: { next: null, prev: 'abc', count: data.length } } };
        expect(JSON.parse(write(page))).toEqual(page);
        expect(write(page)).toBe(JSON.stringify(page));
      }),
    );
  });
});
