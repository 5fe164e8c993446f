// Bearer token → Caller: a verified user token whose user exists, with the user's authorization facts.
// Facts are cached briefly per user; an import through this process clears the cache at once, and
// other processes see the change within the TTL.
import { LRUCache } from 'lru-cache';
import type { Caller, UserFacts } from '../domain/caller.js';
import type { TokenVerifier } from './token-verifier.js';

export interface UserDirectory {
  findUser(idOrLogin: string): Promise<{ id: string } | undefined>;
  loadFacts(userId: string): Promise<UserFacts | undefined>;
}

export type CallerResolution = { readonly ok: true; readonly caller: Caller } | { readonly ok: false };

export interface CallerResolver {
  resolve(authorization: string | undefined): Promise<CallerResolution>;
  forgetUsers(): void;
}

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i;

export function createCallerResolver(
  verify: TokenVerifier,
  directory: UserDirectory,
  factsTtlMs: number,
): CallerResolver {
  const facts = new LRUCache<string, { facts: UserFacts | null }>({
    max: 5000,
    ttl: Math.max(factsTtlMs, 1),
    fetchMethod: async (claim) => {
      const user = await directory.findUser(claim);
      return { facts: (user && (await directory.loadFacts(user.id))) ?? null };
    },
  });
  return {
    async resolve(authorization) {
      const match = authorization === undefined ? null : BEARER.exec(authorization);
      if (!match) return { ok: false };
      let verified;
      try {
        verified = await verify(match[1]);
      } catch {
        return { ok: false };
      }
      // Client-application tokens name no user: rule 1 wants a user token.
      if (verified.user === undefined) return { ok: false };
      const entry =
        factsTtlMs > 0 ? await facts.fetch(verified.user) : await uncached(directory, verified.user);
      if (!entry?.facts) return { ok: false };
      return { ok: true, caller: { ...entry.facts, scopes: verified.scopes } };
    },
    forgetUsers() {
      facts.clear();
    },
  };
}

async function uncached(directory: UserDirectory, claim: string): Promise<{ facts: UserFacts | null }> {
  const user = await directory.findUser(claim);
  return { facts: (user && (await directory.loadFacts(user.id))) ?? null };
}
