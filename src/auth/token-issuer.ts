// The embedded issuer: signs short-lived user and client-application tokens with the key kept in the
// database.
import { createSigner } from 'fast-jwt';
import type { SigningKey } from '../store/key-store.js';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER } from './auth-config.js';

export interface TokenRequest {
  readonly userId: string;
  readonly loginName: string;
  readonly scope: string;
  readonly expiresInSeconds: number;
  /** When the token is issued; defaults to now. Tests use it to make expired tokens. */
  readonly issuedAtMs?: number;
}

export function issueToken(key: SigningKey, request: TokenRequest): string {
  const sign = createSigner({
    algorithm: key.algorithm,
    key: key.privatePem,
    kid: key.kid,
    iss: EMBEDDED_ISSUER,
    aud: EMBEDDED_AUDIENCE,
    sub: request.userId,
    expiresIn: request.expiresInSeconds * 1000,
    ...(request.issuedAtMs !== undefined ? { clockTimestamp: request.issuedAtMs } : {}),
  });
  return sign({ scope: request.scope, preferred_username: request.loginName });
}

export interface ClientTokenRequest {
  readonly clientId: string;
  readonly scope: string;
  readonly expiresInSeconds: number;
}

/** A client application's token: `client_id` and no `sub`, so it names no user. */
export function issueClientToken(key: SigningKey, request: ClientTokenRequest): string {
  const sign = createSigner({
    algorithm: key.algorithm,
    key: key.privatePem,
    kid: key.kid,
    iss: EMBEDDED_ISSUER,
    aud: EMBEDDED_AUDIENCE,
    expiresIn: request.expiresInSeconds * 1000,
  });
  return sign({ scope: request.scope, client_id: request.clientId });
}
