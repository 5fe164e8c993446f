// The keys that sign the OpenID Provider's cookies, derived from the embedded issuer's stored private
// key (HKDF): every instance on the same database derives the same keys, there is no constant in the
// code, and a new signing key rotates them with it.
import { createPrivateKey, hkdfSync } from 'node:crypto';

const INFO = 'casemgr oidc-provider cookie keys v1';

export function cookieKeysFrom(privatePem: string): string[] {
  const secret = createPrivateKey(privatePem).export({ type: 'pkcs8', format: 'der' });
  return [Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32)).toString('base64url')];
}
