// How tokens are verified: by the embedded issuer's key (default), or an external OAuth2/OIDC issuer.
export const EMBEDDED_ISSUER = 'urn:casemgr:embedded-issuer';
export const EMBEDDED_AUDIENCE = 'casemgr';

export type VerifiableAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';
export const VERIFIABLE_ALGORITHMS: readonly VerifiableAlgorithm[] = [
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

export interface AuthConfig {
  /** Set for an external issuer; absent means the embedded issuer verifies its own tokens. */
  readonly jwksUrl: string | undefined;
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly VerifiableAlgorithm[];
  readonly clockToleranceSeconds: number;
  /** Deployment prefix before every scope, e.g. `https://api.example.com/`. */
  readonly scopePrefix: string;
  /** The claim naming the user: matched to a user id, or else to a login name. */
  readonly userClaim: string;
}
