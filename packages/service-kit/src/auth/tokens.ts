// Bearer access tokens (JWT) from an OpenID Connect issuer, checked the way every service must check them:
// signature against the issuer's published keys (fetched once, fetched again when a token names a key id
// not seen yet, so a key rotation at the issuer needs no restart), issuer, audience, expiry and not-before.
// Only asymmetric algorithms are accepted: `alg: none` and HMAC tokens (which anyone holding the public
// key could forge, were it taken as the HMAC secret) are refused before any key is looked at.
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';

export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

export interface TokenPolicy {
  /** The issuer's URL, exactly as tokens carry it in `iss`. */
  issuer: string;
  /** This service's audience: a token must name it in `aud`. */
  audience: string | string[];
  /** The issuer's key set; by default read from its OpenID Connect discovery document. */
  jwksUri?: string;
  /** Leeway for clocks that disagree a little, on `exp` and `nbf`. */
  clockToleranceSeconds?: number;
  /** How soon an unknown key id may make the key set be fetched again (a flood of forged ids cannot). */
  refetchCooldownMs?: number;
  /** How many verified tokens to remember (0: check the signature on every request). */
  rememberTokens?: number;
  /** The clock (ms since the epoch) that expiry is judged by, for remembered tokens and in full checks alike. */
  now?: () => number;
}

/**
 * A verified token is remembered (by its exact text) until it expires, at most this long: a client sends the
 * same token on every request until it renews it, and checking an ES256 signature costs more CPU than the
 * rest of a small request. Any other token, including one that differs only in its signature, is checked,
 * and so is a remembered one whose key the issuer no longer publishes (a rotation withdrew it).
 */
export const REMEMBER_VERIFIED_MS = 5 * 60_000;

/** Why a token was refused: said to the caller in `WWW-Authenticate` and the problem's detail. */
export class TokenRejected extends Error {}

export interface TokenVerifier {
  /** The token's claims when it passes every check; TokenRejected otherwise. */
  verify(token: string): Promise<JWTPayload>;
}

export function createTokenVerifier(policy: TokenPolicy): TokenVerifier {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  const keySet = async () => {
    keys ??= createRemoteJWKSet(new URL(policy.jwksUri ?? (await discoverJwksUri(policy.issuer))), {
      cooldownDuration: policy.refetchCooldownMs ?? 30_000,
      timeoutDuration: 5000,
    });
    return keys;
  };
  const verified = new LRUCache<string, { claims: JWTPayload; kid?: string; until: number }>({
    max: Math.max(1, policy.rememberTokens ?? 10_000),
  });
  const now = policy.now ?? Date.now;
  const tolerance = policy.clockToleranceSeconds ?? 30;
  const remember = (token: string, claims: JWTPayload, kid?: string) => {
    if (policy.rememberTokens === 0 || typeof claims.exp !== 'number') return;
    const until = Math.min(now() + REMEMBER_VERIFIED_MS, claims.exp * 1000);
    if (until > now()) verified.set(token, { claims, kid, until });
  };
  const remembered = (token: string) => {
    const known = verified.get(token);
    if (known && known.until > now()) return known;
    if (known) verified.delete(token);
    return undefined;
  };
  // The key ids the issuer publishes, read again at most once a second and after every full check (which
  // is when the key set may have been fetched again): jose hands out a deep copy of the set on every read.
  let published: { at: number; kids: Set<string | undefined> } | undefined;
  const stillPublished = (kid?: string) => {
    if (kid === undefined) return true;
    if (!published || Date.now() - published.at > 1000)
      published = { at: Date.now(), kids: new Set(keys?.jwks()?.keys.map((k) => k.kid)) };
    return published.kids.has(kid);
  };
  return {
    async verify(token) {
      const known = remembered(token);
      if (known && stillPublished(known.kid)) return known.claims;
      const check = async () =>
        jwtVerify(token, await keySet(), {
          issuer: policy.issuer,
          audience: policy.audience,
          algorithms: ASYMMETRIC_ALGORITHMS,
          clockTolerance: tolerance,
          currentDate: new Date(now()),
          requiredClaims: ['exp', 'sub'],
        });
      try {
        // Once more when the key set could not be fetched: a pooled connection to an issuer that just
        // restarted fails once, and that must not sign everybody out.
        const { payload, protectedHeader } = await check().catch((err: unknown) => {
          if (err instanceof TypeError) return check();
          throw err;
        });
        published = undefined;
        remember(token, payload, protectedHeader.kid);
        return payload;
      } catch (err) {
        throw new TokenRejected(reasonFor(err), { cause: err });
      }
    },
  };
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new TokenRejected(`the issuer's discovery document answered ${res.status}`);
  const { jwks_uri: jwksUri } = (await res.json()) as { jwks_uri?: string };
  if (!jwksUri) throw new TokenRejected("the issuer's discovery document names no jwks_uri");
  return jwksUri;
}

function reasonFor(err: unknown): string {
  if (err instanceof TokenRejected) return err.message;
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'the token is not valid yet';
    if (err.claim === 'iss') return 'the token is from another issuer';
    if (err.claim === 'aud') return 'the token is for another audience';
    return `the token's ${err.claim} claim is missing or invalid`;
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return "the token's algorithm is not accepted";
  if (err instanceof errors.JWKSNoMatchingKey)
    return 'the token is signed with a key the issuer does not publish';
  if (err instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (err instanceof errors.JWKSTimeout || err instanceof TypeError)
    return "the issuer's keys could not be fetched";
  return 'the token is malformed';
}
