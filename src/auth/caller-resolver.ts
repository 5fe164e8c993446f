// Bearer token → Caller: a verified user token whose user exists, with the user's authorization facts.
// With a TTL, facts are served from memory for that long (an import by another process is seen
// within the TTL); with 0, the default, they are read on every request.
import { LRUCache } from 'lru-cache';
import type { Caller, ClientApplication, UserFacts } from '../domain/caller.js';
import { TokenRefused, type RefusalReason } from './token-refusal.js';
import type { TokenVerifier } from './token-verifier.js';

export interface UserDirectory {
  findUser(idOrLogin: string): Promise<{ id: string } | undefined>;
  loadFacts(userId: string): Promise<UserFacts | undefined>;
}

export type CallerResolution =
  | { readonly ok: true; readonly caller: Caller; readonly client?: undefined }
  | { readonly ok: true; readonly caller?: undefined; readonly client: ClientApplication }
  | { readonly ok: false; readonly reason: RefusalReason; readonly claim?: string };

export interface CallerResolver {
  /** Throws KeySetUnavailableError when the issuer's keys cannot be fetched (not the token's fault). */
  resolve(authorization: string | undefined): Promise<CallerResolution>;
}

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i;

/** LRUCache cannot hold undefined: an unknown user is cached as null. */
type Lookup = { readonly facts: UserFacts | null };

/**
 * `nowMs` is the cache's clock (milliseconds, any origin): a test moves it to see facts expire
 * without waiting. Left out, the cache uses performance.now().
 */
export function createCallerResolver(
  verify: TokenVerifier,
  directory: UserDirectory,
  factsTtlMs: number,
  nowMs?: () => number,
): CallerResolver {
  // Most claims are user ids (embedded tokens always are): one round trip; a login name costs two.
  // A claim that is both one user's id and another's login resolves to the id: ids win, as
  // documented in docs/decisions.md, because embedded tokens carry ids.
  const lookup = async (claim: string): Promise<Lookup> => {
    const byId = await directory.loadFacts(claim);
    if (byId) return { facts: byId };
    const user = await directory.findUser(claim);
    // user.id === claim means the id lookup above already found nothing for it: skip a second read.
    return { facts: (user && user.id !== claim && (await directory.loadFacts(user.id))) || null };
  };
  const cache =
    factsTtlMs > 0
      ? new LRUCache<string, Lookup>({
          max: 5000,
          ttl: factsTtlMs,
          fetchMethod: lookup,
          // lru-cache reuses one reading of its clock for 1 ms by default; a given clock is read every time.
          ...(nowMs ? { perf: { now: nowMs }, ttlResolution: 0 } : {}),
        })
      : undefined;

  return {
    async resolve(authorization) {
      const match = authorization === undefined ? null : BEARER.exec(authorization);
      if (!match) return { ok: false, reason: authorization === undefined ? 'missing-token' : 'malformed' };
      let verified;
      try {
        verified = await verify(match[1]);
      } catch (error) {
        if (!(error instanceof TokenRefused)) throw error;
        return {
          ok: false,
          reason: error.reason,
          ...(error.claim !== undefined ? { claim: error.claim } : {}),
        };
      }
      // A token that names no user is a client application's; the route decides whether it may call.
      if (verified.user === undefined) {
        return { ok: true, client: { clientId: verified.client, scopes: verified.scopes } };
      }
      const entry = cache ? await cache.fetch(verified.user) : await lookup(verified.user);
      if (!entry?.facts) return { ok: false, reason: 'unknown-user' };
      return { ok: true, caller: { ...entry.facts, scopes: verified.scopes } };
    },
  };
}
