// Optimistic concurrency over HTTP: a resource's ETag is its quoted version; If-Match must name the
// current version or the write answers 412, so two editors never silently overwrite each other.
import { ProblemError } from '../errors';

export const etagOf = (version: number): string => `"${version}"`;

/** The version an If-Match header asks for; undefined when absent or `*`. */
export function ifMatchVersion(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  if (value === '*') return undefined; // requiredIfMatch refuses it
  const m = /^(?:W\/)?"(\d{1,10})"$/.exec(value);
  if (!m?.[1]) {
    throw new ProblemError({
      status: 400,
      code: 'validation-failed',
      param: 'If-Match',
      detail: 'If-Match must be an ETag this API issued, like "3".',
    });
  }
  return Number(m[1]);
}

export function versionMismatch(current: number): ProblemError {
  return new ProblemError({
    status: 412,
    code: 'version-mismatch',
    param: 'If-Match',
    detail: `The resource has changed since you read it (now version ${current}). Read it again and retry.`,
    extra: { current_version: current },
    headers: { etag: etagOf(current) },
  });
}

/**
 * The version a change is based on, which PATCH and DELETE must name: without If-Match a client would
 * overwrite whatever changed since it read (428 precondition-required, RFC 6585).
 */
export function requiredIfMatch(header: string | string[] | undefined): number {
  // `*` (any version) is a blind overwrite by another name.
  const version = ifMatchVersion(header);
  if (version !== undefined) return version;
  throw new ProblemError({
    status: 428,
    code: 'precondition-required',
    param: 'If-Match',
    detail:
      'Send If-Match with the ETag from when you read this (like "3"), so that nobody\'s change is overwritten blind.',
  });
}
