// How every error leaves a service: RFC 9457 problem+json with a stable code (errors.ts decides which),
// the request's path and id; schema-validation errors as one problem listing each field at fault.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TextRules } from '@shiftstack/contract';
import { ProblemError, problemBody, toProblem } from '../errors';
import type { ServiceInstance } from './server';

/** Validation errors listed in one problem; the rest are counted in `errors_not_listed`. */
export const MAX_LISTED_ERRORS = 20;

/** Errors and unknown routes answer as problems; a 5xx is logged with its cause, a refusal briefly. */
export function problemAnswers(app: ServiceInstance): void {
  app.setErrorHandler(async (error, request, reply) => {
    const problem = validationProblem(error) ?? toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(
      reply,
      request,
      new ProblemError({
        status: 404,
        code: 'route-not-found',
        detail: `No route for ${request.method} ${request.url.split('?')[0]}.`,
      }),
    ),
  );
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, problem: ProblemError) {
  if (problem.retryAfter !== undefined) reply.header('retry-after', String(problem.retryAfter));
  for (const [k, v] of Object.entries(problem.headers ?? {})) reply.header(k, v);
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send(problemBody(problem, request.url.split('?')[0] ?? request.url, request.id));
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Fastify's schema-validation error into one problem listing every field at fault. */
function validationProblem(error: unknown): ProblemError | undefined {
  const e = error as { validation?: AjvError[]; validationContext?: string };
  if (!Array.isArray(e.validation)) return undefined;
  const where = e.validationContext ?? 'body';
  const errors = e.validation.map((v) => {
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const missing = v.params.missingProperty ?? v.params.additionalProperty;
    const param = [path, typeof missing === 'string' ? missing : ''].filter(Boolean).join('.') || where;
    const rule = v.keyword === 'pattern' ? TextRules[String(v.params.pattern)] : undefined;
    const message =
      v.keyword === 'additionalProperties'
        ? 'is not a known field'
        : v.keyword === 'required'
          ? 'is required'
          : rule
            ? `must be ${rule}`
            : (v.message ?? 'is invalid');
    return { param, message };
  });
  const unique = [...new Map(errors.map((x) => [`${x.param}:${x.message}`, x])).values()];
  // A body of thousands of bad array items must not answer with megabytes: list the first few and count
  // the rest, so an error is never much larger than the request that caused it.
  const listed = unique.slice(0, MAX_LISTED_ERRORS);
  const more = unique.length - listed.length;
  const first = listed[0];
  return new ProblemError({
    status: 400,
    code: 'validation-failed',
    ...(first ? { param: first.param } : {}),
    detail: listed.map((x) => `${x.param} ${x.message}`).join('; ') + (more > 0 ? `; and ${more} more` : ''),
    extra: { errors: listed, ...(more > 0 ? { errors_not_listed: more } : {}) },
  });
}
