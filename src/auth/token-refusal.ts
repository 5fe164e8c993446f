// Why a token was refused, as a stable word for the log (the client only ever sees 401-101).

export type RefusalReason =
  | 'missing-token'
  | 'malformed'
  | 'algorithm-not-allowed'
  | 'unknown-key'
  | 'key-mismatch'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'missing-claim'
  | 'invalid-claim'
  | 'no-user-claim'
  | 'unknown-user';

export class TokenRefused extends Error {
  override readonly name = 'TokenRefused';
  constructor(
    readonly reason: RefusalReason,
    /** The claim at fault, for missing-claim and invalid-claim. */
    readonly claim?: string,
  ) {
    super(`token refused: ${reason}`);
  }
}

/** fast-jwt's messages name the claim ("The iss claim value is not allowed."); its codes do not. */
const CLAIM_IN_MESSAGE = /\bThe (\w+) claim\b/;

/** fast-jwt's error (its TokenError class is not exported to TypeScript): a FAST_JWT_* code. */
export function isTokenError(error: unknown): error is { code: string; message: string } {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('FAST_JWT_');
}

export function refusalOf(error: { code: string; message: string }): TokenRefused {
  const claim = CLAIM_IN_MESSAGE.exec(error.message)?.[1];
  switch (error.code) {
    case 'FAST_JWT_EXPIRED':
      return new TokenRefused('expired');
    case 'FAST_JWT_INACTIVE':
      return new TokenRefused('not-yet-valid');
    case 'FAST_JWT_INVALID_SIGNATURE':
    case 'FAST_JWT_MISSING_SIGNATURE':
    case 'FAST_JWT_VERIFY_ERROR':
      return new TokenRefused('bad-signature');
    case 'FAST_JWT_INVALID_ALGORITHM':
      return new TokenRefused('algorithm-not-allowed');
    case 'FAST_JWT_MISSING_REQUIRED_CLAIM':
      return new TokenRefused('missing-claim', claim);
    case 'FAST_JWT_INVALID_CLAIM_VALUE':
    case 'FAST_JWT_INVALID_CLAIM_TYPE':
      if (claim === 'iss') return new TokenRefused('wrong-issuer');
      if (claim === 'aud') return new TokenRefused('wrong-audience');
      return new TokenRefused('invalid-claim', claim);
    case 'FAST_JWT_INVALID_KEY':
    case 'FAST_JWT_MISSING_KEY':
      return new TokenRefused('key-mismatch');
    default:
      return new TokenRefused('malformed');
  }
}
