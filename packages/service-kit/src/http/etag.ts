// Optimistic concurrency over HTTP: a resource's ETag is its quoted version; If-Match must name the
// current version or the write answers 412, so two editors never silently overwrite each other.
import { ProblemError } from '../errors';

export const etagOf = (version: number): string => `"${version}"`;

/** The version an If-Match header asks for; undefined when absent or `*`. */
export function ifMatchVersion(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
  if (value === '*') return undefined;
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
