import { Type, type Static, type TSchema } from 'typebox';

export const Id = Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Numeric id' });
export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
/** RFC 3339 instant; the API always answers in UTC with `Z`. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-11-23T09:00:00Z'] });

// Characters no name or note needs, that make text lie about itself: C0/C1 controls and DEL, the line and
// paragraph separators, and the bidirectional embeddings, overrides and isolates (U+202A-E, U+2066-9)
// that reorder how text is displayed ("Trojan Source"). Bodies are NFC-normalised before validation.
const HIDDEN = '\\p{Cc}\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069';
const VISIBLE = '\\p{L}\\p{N}\\p{P}\\p{S}';

// The look-ahead's two parts share no character, so matching stays linear even on a huge input.
const LABEL_PATTERN = `^(?=[^${VISIBLE}]*[${VISIBLE}])[^${HIDDEN}]*$`;
const LABEL_RULE = 'visible text on one line (no control or bidirectional-override characters)';
const FREE_TEXT_PATTERN = `^(?:[\\t\\n\\r]|[^${HIDDEN}])*$`;
const FREE_TEXT_RULE =
  'text without control characters other than tabs and line breaks, or bidirectional overrides';

/**
 * A one-line label (a person's name, a location, a role): no control or bidi characters, and at least one
 * letter, digit, punctuation mark or symbol, so a name made only of spaces or zero-width characters is refused.
 */
export const Label = (maxLength: number) =>
  Type.String({ minLength: 1, maxLength, pattern: LABEL_PATTERN, description: LABEL_RULE });

/** Free text (notes, reasons): lines and tabs allowed, other controls and bidi overrides not. */
export const FreeText = (maxLength: number, minLength = 0) =>
  Type.String({ minLength, maxLength, pattern: FREE_TEXT_PATTERN, description: FREE_TEXT_RULE });

/** What a text pattern means in words, for validation errors ("must be ..."). */
export const TextRules: Record<string, string> = {
  [LABEL_PATTERN]: LABEL_RULE,
  [FREE_TEXT_PATTERN]: FREE_TEXT_RULE,
};

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
  'malformed-request',
  'request-timeout',
  'uri-too-long',
  'headers-too-large',
  'rate-limited',
  'unauthenticated',
  'forbidden',
  'window-required',
  'window-too-wide',
  'invalid-cursor',
  'unknown-assignee',
  'inactive-assignee',
  'assignee-not-at-location',
  'assignee-lacks-role',
  'assignee-on-leave',
  'role-not-at-location',
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
        description: 'The fields at fault, for validation errors (at most 20; see errors_not_listed)',
      }),
    ),
    errors_not_listed: Type.Optional(
      Type.Integer({ minimum: 1, description: 'How many more fields were at fault than `errors` lists' }),
    ),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof Problem> & Record<string, unknown>;
