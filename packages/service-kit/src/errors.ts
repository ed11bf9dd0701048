// RFC 9457 problem details. Every error a client sees goes through toProblem(), so each has a stable
// `code`, never a stack trace or SQL text, and each 5xx is logged with its request id.
import type { ErrorCode } from '@shiftstack/contract';

export interface ProblemInit {
  status: number;
  code: ErrorCode;
  title?: string;
  detail?: string;
  param?: string;
  /** Seconds; sent as Retry-After (429, 503). */
  retryAfter?: number;
  /** Extra members for the problem body (e.g. conflicting_shift_ids). */
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  401: 'Unauthorized',
  403: 'Forbidden',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class ProblemError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly title: string;
  readonly param?: string;
  readonly retryAfter?: number;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title ?? init.code);
    this.name = 'ProblemError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? TITLES[init.status] ?? 'Error';
    this.param = init.param;
    this.retryAfter = init.retryAfter;
    this.extra = init.extra;
    this.headers = init.headers;
  }
}

export const notFound = (what: string, id: number | string) =>
  new ProblemError({ status: 404, code: 'not-found', detail: `${what} ${id} does not exist.` });

export const invalid = (param: string, detail: string, status: 400 | 422 = 422) =>
  new ProblemError({
    status,
    code: 'validation-failed',
    param,
    detail,
    extra: { errors: [{ param, message: detail }] },
  });

/** Errors that mean "the database cannot be reached right now", as opposed to a bad query. */
const PG_UNAVAILABLE = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
]);
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && (PG_UNAVAILABLE.has(e.code) || NET_CODES.has(e.code))) return true;
  const msg = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|PGlite is closed|driver has already been destroyed/i.test(
    msg,
  );
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  405: 'method-not-allowed',
  408: 'request-timeout',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  431: 'headers-too-large',
};

/** Maps anything thrown in a request to a problem. Unknown errors become a 500 with no detail. */
/**
 * An error raised elsewhere in the chassis (the HTTP client's, say) that knows what the client should see.
 * This module maps errors without knowing who raises them: they bring their own problem.
 */
export interface KnowsItsProblem {
  toProblem(): ProblemError;
}

const knowsItsProblem = (err: unknown): err is KnowsItsProblem =>
  typeof (err as Partial<KnowsItsProblem> | null)?.toProblem === 'function';

const MALFORMED_BODY: ProblemInit = {
  status: 400,
  code: 'malformed-body',
  detail: 'The request body is not valid JSON.',
};
const OUT_OF_RANGE: ProblemInit = {
  status: 400,
  code: 'validation-failed',
  detail: 'A value is out of range or malformed.',
};
const UNSTORABLE_TEXT: ProblemInit = {
  status: 400,
  code: 'validation-failed',
  detail: 'Text must not contain NUL (U+0000) or characters the database cannot store.',
};
const CONFLICT: ProblemInit = {
  status: 409,
  code: 'conflict',
  detail: 'The change conflicts with existing data.',
};

/** Fastify's and PostgreSQL's error codes that are the caller's doing, and what the caller is told. */
const BY_ERROR_CODE: Record<string, ProblemInit> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'payload-too-large',
    detail: 'The request body is too large.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'unsupported-media-type',
    detail: 'Send the request body as application/json.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: MALFORMED_BODY,
  FST_ERR_CTP_INVALID_JSON_BODY: MALFORMED_BODY,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: MALFORMED_BODY,
  '22P02': OUT_OF_RANGE, // invalid_text_representation
  '22007': OUT_OF_RANGE, // invalid_datetime_format
  '22008': OUT_OF_RANGE, // datetime_field_overflow
  '22003': OUT_OF_RANGE, // numeric_value_out_of_range
  '22021': UNSTORABLE_TEXT, // character_not_in_repertoire: PostgreSQL text cannot hold NUL (U+0000)
  '22P05': UNSTORABLE_TEXT, // untranslatable_character
  '23514': { status: 422, code: 'validation-failed', detail: 'The values break a rule of the data.' },
  '23505': CONFLICT, // unique_violation
  '23P01': CONFLICT, // exclusion_violation
};

export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (knowsItsProblem(err)) return err.toProblem();
  if (isDatabaseUnavailable(err)) {
    return new ProblemError({
      status: 503,
      code: 'database-unavailable',
      detail: 'The database is unavailable. Try again shortly.',
      retryAfter: 5,
    });
  }
  const e = (err ?? {}) as { code?: string; statusCode?: number; message?: string };
  const known = e.code === undefined ? undefined : BY_ERROR_CODE[e.code];
  if (known) return new ProblemError(known);
  if (e.message && /SyntaxError|Unexpected token|JSON/.test(e.message) && e.statusCode === 400)
    return new ProblemError(MALFORMED_BODY);
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return clientProblem(e.statusCode, e.message);
  return new ProblemError({
    status: 500,
    code: 'internal-error',
    detail: 'An unexpected error occurred; it has been logged.',
  });
}

/** A 4xx raised by Fastify or a plugin we did not map: keep its status, give it the code that fits. */
function clientProblem(status: number, message: string | undefined): ProblemError {
  // @fastify/static answers a path that climbs out of its folder (/docs/static/%2e%2e/...) with 403:
  // to the caller there is simply no such file.
  if (status === 403 || status === 404)
    return new ProblemError({ status: 404, code: 'route-not-found', detail: 'No such resource.' });
  return new ProblemError({ status, code: CODE_BY_STATUS[status] ?? 'malformed-request', detail: message });
}

/** The RFC 9457 body; `instance` (the path) is left out where there is no parsed request to name. */
export function problemBody(
  p: ProblemError,
  instance: string | undefined,
  requestId: string,
): Record<string, unknown> {
  return {
    type: `urn:shiftstack:problem:${p.code}`,
    title: p.title,
    status: p.status,
    detail: p.message,
    ...(instance === undefined ? {} : { instance }),
    code: p.code,
    ...(p.param ? { param: p.param } : {}),
    request_id: requestId,
    ...p.extra,
  };
}

/** The PostgreSQL error code and constraint of a database error (pg and PGlite alike), if it is one. */
export function pgError(err: unknown): { code?: string; constraint?: string } {
  if (!err || typeof err !== 'object') return {};
  const e = err as { code?: unknown; constraint?: unknown };
  return {
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.constraint === 'string' ? { constraint: e.constraint } : {}),
  };
}

export const isUniqueViolation = (err: unknown, constraint?: string) => {
  const e = pgError(err);
  return e.code === '23505' && (!constraint || e.constraint === constraint);
};
