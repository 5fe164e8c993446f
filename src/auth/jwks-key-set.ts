// The external issuer's public keys, downloaded from the configured JWKS URL (never from a URL a
// token names) and kept in memory. A token with a key id the set does not know may trigger a new
// download, but at most one per cool-down: otherwise every forged token with a fresh `kid` would
// cost the service (and the issuer) a download.
import { createPublicKey, type JsonWebKey } from 'node:crypto';

/** A public key of the set, as PEM for fast-jwt. */
export interface PublicKeyEntry {
  readonly kid: string | undefined;
  /** The JWK's `alg`, when it names one: the key then serves that algorithm only. */
  readonly alg: string | undefined;
  readonly pem: string;
}

/** The key set could not be downloaded and no key held in memory answers the token: retry later. */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
  constructor(
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super('the issuer key set cannot be fetched', options);
  }
}

export interface KeySetTiming {
  /** A downloaded set is trusted this long; after that the next token refreshes it. */
  readonly maxAgeMs: number;
  /** After a download, an unknown key id waits this long before it may cause another one. */
  readonly cooldownMs: number;
  /** After a failed download, the next attempt waits this long (the Retry-After of the 503). */
  readonly failureCooldownMs: number;
  /** A download that takes longer has failed. */
  readonly timeoutMs: number;
}

// jose's remote key set uses the same figures: 10 minutes of trust, 30 seconds of cool-down.
export const DEFAULT_KEY_SET_TIMING: KeySetTiming = {
  maxAgeMs: 10 * 60_000,
  cooldownMs: 30_000,
  failureCooldownMs: 5_000,
  timeoutMs: 5_000,
};

/** A JWKS document larger than this is not a key set. */
const MAX_KEY_SET_BYTES = 1_000_000;

export interface JwksKeySet {
  /** The key for a token's `kid` and `alg`; undefined when the set has none (an unknown key). */
  keyFor(kid: string | undefined, alg: string): Promise<PublicKeyEntry | undefined>;
}

export function createJwksKeySet(
  url: string,
  nowMs: () => number,
  timing: KeySetTiming = DEFAULT_KEY_SET_TIMING,
): JwksKeySet {
  let keys: readonly PublicKeyEntry[] | undefined;
  let fetchedAtMs = 0;
  let lastAttemptMs = Number.NEGATIVE_INFINITY;
  let lastFailure: unknown;
  let inflight: Promise<void> | undefined;

  const download = async (): Promise<void> => {
    try {
      keys = await fetchKeySet(url, timing.timeoutMs);
      fetchedAtMs = nowMs();
      lastFailure = undefined;
    } catch (error) {
      lastFailure = error;
    }
  };
  const unavailable = (waitMs: number) =>
    new KeySetUnavailableError(Math.max(1, Math.ceil(waitMs / 1000)), { cause: lastFailure });

  return {
    async keyFor(kid, alg) {
      const now = nowMs();
      if (keys && now - fetchedAtMs < timing.maxAgeMs) {
        const known = pick(keys, kid, alg);
        if (known) return known;
      }
      if (!inflight) {
        const waitMs = (lastFailure ? timing.failureCooldownMs : timing.cooldownMs) - (now - lastAttemptMs);
        if (waitMs > 0) {
          // Too soon for another download. Keys held in memory still answer (even past their age:
          // an issuer we cannot reach has not rotated them for us); an unknown key id is unknown,
          // unless the last download failed, in which case we cannot tell.
          const held = keys && pick(keys, kid, alg);
          if (held) return held;
          if (lastFailure) throw unavailable(waitMs);
          return undefined;
        }
        lastAttemptMs = now;
        inflight = download().finally(() => (inflight = undefined));
      }
      await inflight;
      const found = keys && pick(keys, kid, alg);
      if (found) return found;
      if (lastFailure) throw unavailable(timing.failureCooldownMs);
      return undefined;
    },
  };
}

/**
 * The one key a token names: by `kid`, among keys that allow its algorithm. A token without `kid`
 * is answered only by a set with exactly one such key.
 */
function pick(
  keys: readonly PublicKeyEntry[],
  kid: string | undefined,
  alg: string,
): PublicKeyEntry | undefined {
  const candidates = keys.filter(
    (key) => (kid === undefined || key.kid === kid) && (key.alg === undefined || key.alg === alg),
  );
  return candidates.length === 1 || kid !== undefined ? candidates[0] : undefined;
}

async function fetchKeySet(url: string, timeoutMs: number): Promise<PublicKeyEntry[]> {
  const response = await fetch(url, {
    headers: { accept: 'application/jwk-set+json, application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`JWKS answered HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_KEY_SET_BYTES) throw new Error('JWKS document too large');
  const document = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(document.keys)) throw new Error('JWKS document has no "keys" array');
  return document.keys.flatMap((jwk: unknown) => {
    const entry = toEntry(jwk);
    return entry ? [entry] : [];
  });
}

/** A signature key of the set as PEM; encryption keys and keys Node cannot read are skipped. */
function toEntry(jwk: unknown): PublicKeyEntry | undefined {
  if (typeof jwk !== 'object' || jwk === null) return undefined;
  const { kid, alg, use } = jwk as { kid?: unknown; alg?: unknown; use?: unknown };
  if (use !== undefined && use !== 'sig') return undefined;
  try {
    // createPublicKey keeps only the public part, should a careless issuer publish private fields.
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    return {
      kid: typeof kid === 'string' ? kid : undefined,
      alg: typeof alg === 'string' ? alg : undefined,
      pem: key.export({ type: 'spki', format: 'pem' }).toString(),
    };
  } catch {
    return undefined;
  }
}
