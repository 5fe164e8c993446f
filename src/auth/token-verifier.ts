// Verifies bearer tokens with algorithms, issuer and audience pinned (`none` is never accepted), and
// caches verified tokens so that an agent's repeated calls cost one signature check.
import { createVerifier } from 'fast-jwt';
import buildGetJwks from 'get-jwks';
import type { SigningKey } from '../store/key-store.js';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, type AuthConfig } from './auth-config.js';

export interface VerifiedToken {
  /** The value of the configured user claim; undefined for client-application tokens. */
  readonly user: string | undefined;
  /** Scopes with the deployment prefix removed; scopes without the prefix are dropped. */
  readonly scopes: ReadonlySet<string>;
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export function createTokenVerifier(config: AuthConfig, embeddedKey: SigningKey | undefined): TokenVerifier {
  const common = {
    cache: VERIFIED_TOKEN_CACHE_SIZE,
    clockTolerance: config.clockToleranceSeconds * 1000,
    // fast-jwt's allowedIss/allowedAud only judge a claim that is present: a token without `iss` or
    // `aud` would pass them. Both are pinned, so both must be there.
    requiredClaims: ['exp', 'iss', 'aud'],
  };
  const verify =
    config.jwksUrl === undefined
      ? embeddedVerifier(embeddedKey, common)
      : createVerifier({
          ...common,
          key: jwksKeyResolver(config.jwksUrl),
          algorithms: [...config.algorithms],
          allowedIss: config.issuer,
          allowedAud: config.audience,
        });
  return async (token) => toVerified(await verify(token), config);
}

function embeddedVerifier(key: SigningKey | undefined, common: object) {
  if (!key) throw new Error('the embedded issuer has no signing key');
  const verify = createVerifier({
    ...common,
    key: key.publicPem,
    algorithms: [key.algorithm],
    allowedIss: EMBEDDED_ISSUER,
    allowedAud: EMBEDDED_AUDIENCE,
  });
  return (token: string): Promise<unknown> => Promise.resolve(verify(token));
}

/** Keys come only from the configured JWKS URL, never from a URL the token names. */
function jwksKeyResolver(jwksUrl: string) {
  const url = new URL(jwksUrl);
  const jwks = buildGetJwks({
    providerDiscovery: false,
    jwksPath: url.pathname + url.search,
    ttl: 10 * 60_000,
  });
  return async (decoded: { header: { kid?: string; alg?: string } }): Promise<string> =>
    jwks.getPublicKey({ domain: url.origin, kid: decoded.header.kid, alg: decoded.header.alg });
}

function toVerified(payload: unknown, config: AuthConfig): VerifiedToken {
  const claims = (payload ?? {}) as Record<string, unknown>;
  const user = claims[config.userClaim];
  return {
    user: typeof user === 'string' && user !== '' ? user : undefined,
    scopes: scopesOf(claims, config.scopePrefix),
  };
}

/** OAuth2 `scope` (space-separated) or the `scp` array some issuers use. */
function scopesOf(claims: Record<string, unknown>, prefix: string): Set<string> {
  const raw = claims.scope ?? claims.scp;
  const list =
    typeof raw === 'string'
      ? raw.split(' ')
      : Array.isArray(raw)
        ? raw.filter((s): s is string => typeof s === 'string')
        : [];
  return new Set(
    list.filter((s) => s.startsWith(prefix) && s.length > prefix.length).map((s) => s.slice(prefix.length)),
  );
}
