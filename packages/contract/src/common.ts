import { Type, type Static, type TSchema } from 'typebox';

export const Id = Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Numeric id' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
/** RFC 3339 instant; the API always answers in UTC with `Z`. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-11-23T09:00:00Z'] });

export const Limit = Type.Integer({
  minimum: 1,
  maximum: 500,
  default: 100,
  description: 'Page size (1-500)',
});
export const Cursor = Type.String({
  minLength: 1,
  maxLength: 512,
  description: 'Opaque cursor from meta.cursor.next or meta.cursor.prev',
});

export const PageMeta = Type.Object({
  cursor: Type.Object({
    next: Type.Union([Type.String(), Type.Null()], {
      description: 'Cursor of the following page; null on the last page',
    }),
    prev: Type.Union([Type.String(), Type.Null()], {
      description: 'Cursor of the preceding page; null on the first page',
    }),
    count: Type.Integer({ description: 'Number of items in this page' }),
  }),
});
export type PageMeta = Static<typeof PageMeta>;

export function Page<T extends TSchema>(item: T, extraMeta = Type.Object({})) {
  return Type.Object({ data: Type.Array(item), meta: Type.Intersect([PageMeta, extraMeta]) });
}

/** Stable machine-readable error codes. Clients switch on `code`, never on `title` or `detail`. */
export const ErrorCodes = [
  'validation-failed',
  'not-found',
  'route-not-found',
  'method-not-allowed',
  'conflict',
  'email-taken',
  'name-taken',
  'shift-overlap',
  'version-mismatch',
  'precondition-required',
  'idempotency-key-reused',
  'idempotency-key-in-flight',
  'payload-too-large',
  'unsupported-media-type',
  'malformed-body',
  'rate-limited',
  'window-required',
  'window-too-wide',
  'invalid-cursor',
  'unknown-assignee',
  'inactive-assignee',
  'assignee-not-at-location',
  'unknown-location',
  'unknown-role',
  'shift-deleted',
  'database-unavailable',
  'upstream-unavailable',
  'not-ready',
  'internal-error',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

/** RFC 9457 problem details, as every error response is. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'Stable error code' }),
    param: Type.Optional(Type.String({ description: 'The one input field at fault, when there is one' })),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ param: Type.String(), message: Type.String() }), {
        description: 'Every field at fault, for validation errors',
      }),
    ),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof Problem> & Record<string, unknown>;
