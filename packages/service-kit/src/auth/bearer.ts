// The `authenticate` hook for createServer: every /api request carries `Authorization: Bearer <token>`,
// and the token passes every check of tokens.ts, or the caller gets 401 with a `WWW-Authenticate` header
// that says why (RFC 6750). The token's claims are on `request.principal` for the routes' permission checks.
import type { FastifyRequest } from 'fastify';
import type { JWTPayload } from 'jose';
import { ProblemError } from '../errors';
import { TokenRejected, type TokenVerifier } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified claims of the caller's access token (set for /api routes once authenticated). */
    principal?: JWTPayload;
  }
}

const unauthenticated = (detail: string, challenge: string) =>
  new ProblemError({
    status: 401,
    code: 'unauthenticated',
    detail,
    headers: { 'www-authenticate': challenge },
  });

export function bearerAuthentication(verifier: TokenVerifier, realm = 'shiftstack') {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header) : null;
    if (!header)
      throw unauthenticated(
        'Sign in: send an access token as `Authorization: Bearer <token>`.',
        `Bearer realm="${realm}"`,
      );
    if (!match)
      throw unauthenticated(
        'The Authorization header is not a bearer token.',
        `Bearer realm="${realm}", error="invalid_request"`,
      );
    try {
      request.principal = await verifier.verify(match[1]!);
    } catch (err) {
      if (!(err instanceof TokenRejected)) throw err;
      throw unauthenticated(
        `The access token was refused: ${err.message}.`,
        `Bearer realm="${realm}", error="invalid_token", error_description="${err.message}"`,
      );
    }
  };
}
