// Who is calling: a verified access token becomes a principal. A person's token (the API audience) names
// them by the issuer's (iss, sub); the users service binds that pair to a person once, at their first
// sign-in, through an email the issuer says is verified, and decides what they may do. An unknown or
// deactivated person is refused with 403. Another service's client-credentials token (this service's own audience) is
// accepted only from the trusted client ids, and carries only the scopes the issuer granted it.
import type { PersonPrincipal, Principal } from '@shiftstack/contract';
import type { FastifyRequest } from 'fastify';
import type { JWTPayload } from 'jose';
import type { AuthConfig } from '../config';
import { ProblemError } from '../errors';
import { bearerAuthentication } from './bearer';
import { createTokenVerifier, type TokenVerifier } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, once authenticated (every /api route). */
    caller?: Principal;
  }
}

export type PersonLookup =
  { found: PersonPrincipal; active: boolean; name: string } | { found: null; why?: string };

/** Who a person's token says they are: the issuer's subject, and the email it vouches for (if any). */
export interface TokenIdentity {
  issuer: string;
  subject: string;
  /** Lowercased (ASCII only); present only when the token carries one. */
  email?: string;
  /** The issuer says it checked the email (`email_verified: true`); only then may it bind a person. */
  emailVerified: boolean;
}

export interface CallerOptions {
  auth: AuthConfig;
  /** The person this identity signs in as, as the users service knows them. */
  findPerson(identity: TokenIdentity, request: FastifyRequest): Promise<PersonLookup>;
  /** Defaults to one built from `auth` (the issuer's discovered key set). */
  verifier?: TokenVerifier;
}

export const forbidden = (detail: string) => new ProblemError({ status: 403, code: 'forbidden', detail });

/**
 * An email address compared the way mail systems do: ASCII letters lowercased, nothing else changed, so
 * "\u212Aate@" (KELVIN SIGN) stays distinct from "kate@" (Unicode-aware lowercasing would merge them).
 */
export const asciiLower = (email: string) => email.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Who a person's token names: its issuer and subject, and its `email` claim if any (never the subject). */
export function identityOf(claims: JWTPayload): TokenIdentity {
  return {
    issuer: String(claims.iss),
    subject: String(claims.sub),
    ...(typeof claims.email === 'string' && claims.email.includes('@')
      ? { email: asciiLower(claims.email) }
      : {}),
    emailVerified: claims.email_verified === true,
  };
}

function scopesOf(claims: JWTPayload): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter(Boolean);
  return Array.isArray(claims.scp) ? claims.scp.filter((s): s is string => typeof s === 'string') : [];
}

const audiences = (claims: JWTPayload) => (Array.isArray(claims.aud) ? claims.aud : [claims.aud]);

export function verifierFor(auth: AuthConfig): TokenVerifier {
  return createTokenVerifier({
    issuer: auth.issuer,
    audience: auth.serviceAudience ? [auth.audience, auth.serviceAudience] : auth.audience,
    jwksUri: auth.jwksUri,
  });
}

/** The `authenticate` hook for createServer: 401 without a valid token, 403 for a caller we do not know. */
export function authenticateCallers(opts: CallerOptions) {
  const { auth } = opts;
  const bearer = bearerAuthentication(opts.verifier ?? verifierFor(auth));
  return async (request: FastifyRequest): Promise<void> => {
    await bearer(request);
    const claims = request.principal!;
    if (auth.serviceAudience && audiences(claims).includes(auth.serviceAudience)) {
      const id = claims.client_id ?? claims.azp ?? claims.sub;
      const clientId = typeof id === 'string' ? id : '';
      if (!auth.trustedClients.includes(clientId))
        throw forbidden(`The client ${clientId} is not trusted to call this service.`);
      request.caller = { kind: 'service', client_id: clientId, scopes: scopesOf(claims) };
      return;
    }
    if (!audiences(claims).includes(auth.audience))
      throw forbidden("The token's audience is not this API's.");
    const person = await opts.findPerson(identityOf(claims), request);
    if (!person.found) throw forbidden(person.why ?? 'Nobody here signs in as you.');
    if (!person.active) throw forbidden(`${person.name} has been deactivated.`);
    request.caller = person.found;
  };
}

/** The signed-in person calling this route; services are refused. */
export function personCalling(request: FastifyRequest): PersonPrincipal {
  const caller = request.caller;
  if (caller?.kind === 'person') return caller;
  throw forbidden('Only a signed-in person may do this.');
}

/** Lets a service through when it holds `scope`, and a person through; refuses other services. */
export function allowService(request: FastifyRequest, scope: string): PersonPrincipal | 'service' {
  const caller = request.caller;
  if (caller?.kind === 'service') {
    if (caller.scopes.includes(scope)) return 'service';
    throw forbidden(`The client ${caller.client_id} lacks the ${scope} scope.`);
  }
  return personCalling(request);
}
