// What the HTTP layer answers on its own, before any route runs, in problem+json like every other error:
// a request Node cannot parse (bad request line, no Host), a header block too large, a request not fully
// received in time, a path with broken percent-encoding, a path parameter over the router's limit.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import { ProblemError, problemBody, toProblem } from '../errors';

/** Errors Node raises on the socket before there is a request object (its 'clientError' event). */
function clientProblem(code: string | undefined): ProblemError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return new ProblemError({
      status: 408,
      code: 'request-timeout',
      detail: 'The request was not received in time; send the headers and body without pausing.',
    });
  if (code === 'HPE_HEADER_OVERFLOW')
    return new ProblemError({
      status: 431,
      code: 'headers-too-large',
      detail: 'The request headers are too large.',
    });
  return new ProblemError({
    status: 400,
    code: 'malformed-request',
    detail: 'The request is not valid HTTP/1.1 (request line, headers, or a missing Host header).',
  });
}

/**
 * Fastify's `clientErrorHandler`: answers on the raw socket, then closes it (the stream is in an unknown
 * state). A reset or already closed socket gets nothing, as in Fastify's default.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const problem = clientProblem(err.code);
    const body = JSON.stringify(problemBody(problem, undefined, randomUUID()));
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Fastify's `frameworkErrors`: errors the router raises before routing (it has a request and reply). */
export function frameworkProblem(error: { code?: string }, request: FastifyRequest): ProblemError {
  const path = request.url.split('?')[0] ?? request.url;
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return new ProblemError({
      status: 414,
      code: 'uri-too-long',
      detail: 'A path parameter is longer than any valid value.',
    });
  if (error.code === 'FST_ERR_BAD_URL')
    return new ProblemError({
      status: 400,
      code: 'malformed-request',
      detail: `The path ${JSON.stringify(path.slice(0, 200))} is not validly percent-encoded.`,
    });
  return toProblem(error);
}
