// Verifies bearer tokens with algorithms, issuer and audience pinned (`none` is never accepted), and
// caches verified tokens so that an agent's repeated calls cost one signature check.
// The algorithm is judged from the header before any key is looked up: a token the service would
// refuse anyway must not make it download the issuer's key set.
import { createVerifier } from 'fast-jwt';
import type { VerificationKey } from '../store/key-store.js';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, type AuthConfig } from './auth-config.js';
import {
  createJwksKeySet,
  DEFAULT_KEY_SET_TIMING,
  type KeySetTiming,
  type PublicKeyEntry,
} from './jwks-key-set.js';
import { isTokenError, refusalOf, TokenRefused } from './token-refusal.js';

export interface VerifiedToken {
  /** The value of the configured user claim; undefined for client-application tokens. */
  readonly user: string | undefined;
  /** The client application's id (`client_id`, else `azp`) of a token without a user; '' if none. */
  readonly client: string;
  /** Scopes with the deployment prefix removed; scopes without the prefix are dropped. */
  readonly scopes: ReadonlySet<string>;
  /** The `exp` claim in milliseconds (required, so always there on a verified token). */
  readonly expiresAtMs: number;
}

/** Throws TokenRefused, or KeySetUnavailableError when the issuer's keys cannot be fetched. */
export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

export interface VerifierOptions {
  /** The clock of the key-set cool-downs (tests move it instead of waiting). */
  readonly nowMs?: () => number;
  readonly keySetTiming?: KeySetTiming;
  /**
   * The embedded OpenID Provider's issuer URL, when it is served: its access tokens are signed with
   * the same embedded key as `casemgr token`'s and are accepted with that `iss` too.
   */
  readonly providerIssuer?: string;
}

const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

type Verify = (token: string) => unknown;

export function createTokenVerifier(
  config: AuthConfig,
  embeddedKey: VerificationKey | undefined,
  options: VerifierOptions = {},
): TokenVerifier {
  let issuer: string | string[];
  let audience: string;
  let algorithms: readonly string[];
  let keyFor: (kid: string | undefined, alg: string) => Promise<PublicKeyEntry | undefined>;
  if (config.jwksUrl === undefined) {
    if (!embeddedKey) throw new Error('the embedded issuer has no verification key');
    const entry: PublicKeyEntry = {
      kid: embeddedKey.kid,
      alg: embeddedKey.algorithm,
      pem: embeddedKey.publicPem,
    };
    issuer =
      options.providerIssuer === undefined ? EMBEDDED_ISSUER : [EMBEDDED_ISSUER, options.providerIssuer];
    [audience, algorithms] = [EMBEDDED_AUDIENCE, [embeddedKey.algorithm]];
    keyFor = (kid) => Promise.resolve(kid === entry.kid ? entry : undefined);
  } else {
    const keySet = createJwksKeySet(
      config.jwksUrl,
      options.nowMs ?? Date.now,
      options.keySetTiming ?? DEFAULT_KEY_SET_TIMING,
    );
    [issuer, audience, algorithms] = [config.issuer, config.audience, config.algorithms];
    keyFor = (kid, alg) => keySet.keyFor(kid, alg);
  }

  // One fast-jwt verifier per key and algorithm, made on first use; a refreshed key set brings new
  // entries, so a WeakMap lets the verifiers of dropped keys go.
  const verifiers = new WeakMap<PublicKeyEntry, Map<string, Verify>>();
  const verifierFor = (entry: PublicKeyEntry, alg: string): Verify => {
    let byAlg = verifiers.get(entry);
    if (!byAlg) verifiers.set(entry, (byAlg = new Map<string, Verify>()));
    let verify = byAlg.get(alg);
    if (!verify) {
      try {
        verify = createVerifier({
          key: entry.pem,
          algorithms: [alg as 'RS256'],
          cache: VERIFIED_TOKEN_CACHE_SIZE,
          clockTolerance: config.clockToleranceSeconds * 1000,
          allowedIss: issuer,
          allowedAud: audience,
          // fast-jwt's allowedIss/allowedAud only judge a claim that is present: a token without
          // `iss` or `aud` would pass them. Both are pinned, so both must be there.
          requiredClaims: ['exp', 'iss', 'aud'],
        });
      } catch {
        // The key named by the token cannot serve its algorithm (an RSA key for ES256…).
        verify = () => {
          throw new TokenRefused('key-mismatch');
        };
      }
      byAlg.set(alg, verify);
    }
    return verify;
  };

  return async (token) => {
    const header = headerOf(token);
    if (!algorithms.includes(header.alg)) throw new TokenRefused('algorithm-not-allowed');
    const entry = await keyFor(header.kid, header.alg);
    if (!entry) throw new TokenRefused('unknown-key');
    let payload: unknown;
    try {
      payload = verifierFor(entry, header.alg)(token);
    } catch (error) {
      throw isTokenError(error) ? refusalOf(error) : error;
    }
    return toVerified(payload, config);
  };
}

/** The JOSE header, read without trusting anything yet. */
function headerOf(token: string): { alg: string; kid: string | undefined } {
  const encoded = token.slice(0, token.indexOf('.'));
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRefused('malformed');
  }
  if (typeof header !== 'object' || header === null) throw new TokenRefused('malformed');
  const { alg, kid } = header as { alg?: unknown; kid?: unknown };
  if (typeof alg !== 'string' || (kid !== undefined && typeof kid !== 'string')) {
    throw new TokenRefused('malformed');
  }
  return { alg, kid };
}

function toVerified(payload: unknown, config: AuthConfig): VerifiedToken {
  const claims = (payload ?? {}) as Record<string, unknown>;
  const user = claims[config.userClaim];
  const client = [claims.client_id, claims.azp].find((c): c is string => typeof c === 'string' && c !== '');
  return {
    user: typeof user === 'string' && user !== '' ? user : undefined,
    client: client ?? '',
    scopes: scopesOf(claims, config.scopePrefix),
    expiresAtMs: Number(claims.exp) * 1000,
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
