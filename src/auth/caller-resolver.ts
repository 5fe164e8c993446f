// Bearer token → Caller: a verified user token whose user exists, with the user's authorization facts.
// Facts are kept in memory per instance, tagged with the organisation version they were read at
// (migration 0010; every import bumps it). They are never served stale: a request either compares
// the tag with the stored version before it is judged (`check: 'now'`, one small read), or gets them
// unconfirmed (`check: 'by-route'`) and the route reads the version in a statement it makes anyway,
// re-reading the facts and judging again when the version moved (src/http/facts-check.ts).
import { LRUCache } from 'lru-cache';
import type { Caller, ClientApplication, UserFacts } from '../domain/caller.js';
import { TokenRefused, type RefusalReason } from './token-refusal.js';
import type { TokenVerifier } from './token-verifier.js';

export interface UserDirectory {
  findUser(idOrLogin: string): Promise<{ id: string } | undefined>;
  /** The user's facts and the organisation version they were read at, in one statement. */
  loadStampedFacts(userId: string): Promise<{ facts: UserFacts | undefined; version: number }>;
  /** The organisation version alone. */
  readVersion(): Promise<number>;
}

/** Where a user caller's facts stand against the stored organisation version. */
export interface FactsStamp {
  /** The organisation version the facts were read at. */
  readonly version: number;
  /** True when the facts are known to be those of the current version (read or checked by this request). */
  readonly confirmed: boolean;
  /**
   * Reads the facts again (and the version with them) and caches them; undefined when the token's
   * user no longer exists. The facts returned are confirmed.
   */
  refresh(): Promise<{ caller: Caller; stamp: FactsStamp } | undefined>;
}

export type CallerResolution =
  | {
      readonly ok: true;
      readonly caller: Caller;
      readonly stamp: FactsStamp;
      readonly client?: undefined;
      /** When the token expires (its `exp`): a long-lived answer such as the event stream ends then. */
      readonly expiresAtMs: number;
    }
  | { readonly ok: true; readonly caller?: undefined; readonly client: ClientApplication }
  | { readonly ok: false; readonly reason: RefusalReason; readonly claim?: string };

/**
 * `now`: the facts are confirmed against the stored version before resolve returns. `by-route`: a
 * cached entry is returned unconfirmed; the route must confirm it (src/http/facts-check.ts).
 */
export type FactsCheck = 'now' | 'by-route';

export interface CallerResolver {
  /** Throws KeySetUnavailableError when the issuer's keys cannot be fetched (not the token's fault). */
  resolve(authorization: string | undefined, check?: FactsCheck): Promise<CallerResolution>;
}

const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)\s*$/i;

/** What a token's user claim resolved to at one organisation version; null facts: no such user. */
interface Lookup {
  readonly facts: UserFacts | null;
  readonly version: number;
}

/** Entries kept at most; an instance seldom serves more users than this at once. */
const CACHED_USERS = 5000;

/**
 * `maxAgeMs` bounds how long an entry is kept even while the version stays the same (memory hygiene,
 * never staleness: every use is checked against the version); 0 keeps nothing, every request reads
 * the facts. `nowMs` is the cache's clock (milliseconds, any origin) for tests; left out, the cache
 * uses performance.now().
 */
export function createCallerResolver(
  verify: TokenVerifier,
  directory: UserDirectory,
  maxAgeMs: number,
  nowMs?: () => number,
): CallerResolver {
  // Most claims are user ids (embedded tokens always are): one round trip; a login name costs two.
  // A claim that is both one user's id and another's login resolves to the id: ids win, as
  // documented in docs/decisions.md, because embedded tokens carry ids.
  const lookup = async (claim: string): Promise<Lookup> => {
    const byId = await directory.loadStampedFacts(claim);
    if (byId.facts) return { facts: byId.facts, version: byId.version };
    const user = await directory.findUser(claim);
    // user.id === claim means the id lookup above already found nothing for it: skip a second read.
    if (!user || user.id === claim) return { facts: null, version: byId.version };
    const byLogin = await directory.loadStampedFacts(user.id);
    // Tagged with the first version seen: should an import land between the reads, the next check
    // finds a newer version and reads again, rather than trusting a login resolved before it.
    return { facts: byLogin.facts ?? null, version: byId.version };
  };
  const cache =
    maxAgeMs > 0
      ? new LRUCache<string, Lookup>({
          max: CACHED_USERS,
          ttl: maxAgeMs,
          // lru-cache reuses one reading of its clock for 1 ms by default; a given clock is read every time.
          ...(nowMs ? { perf: { now: nowMs }, ttlResolution: 0 } : {}),
        })
      : undefined;
  const read = async (claim: string): Promise<Lookup> => {
    const entry = await lookup(claim);
    // An entry read at an older version than one already cached (a slow read racing a newer one) is
    // not cached over it; either way the next check compares versions.
    const held = cache?.get(claim);
    if (cache && (!held || held.version <= entry.version)) cache.set(claim, entry);
    return entry;
  };

  const stamped = (
    claim: string,
    scopes: ReadonlySet<string>,
    entry: Lookup,
    confirmed: boolean,
  ): { caller: Caller; stamp: FactsStamp } | undefined =>
    entry.facts
      ? {
          caller: { ...entry.facts, scopes },
          stamp: {
            version: entry.version,
            confirmed,
            refresh: async () => stamped(claim, scopes, await read(claim), true),
          },
        }
      : undefined;

  return {
    async resolve(authorization, check = 'now') {
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
      const claim = verified.user;
      let entry = cache?.get(claim);
      let confirmed = false;
      if (entry === undefined) {
        entry = await read(claim);
        confirmed = true;
      } else if (check === 'now') {
        // One primary-key read of one row; the facts are read again only when it moved.
        if ((await directory.readVersion()) !== entry.version) entry = await read(claim);
        confirmed = true;
      }
      const resolved = stamped(claim, verified.scopes, entry, confirmed);
      // An unknown user is refused only on confirmed grounds: an unconfirmed "no such user" is
      // checked again (an import may have added the user since).
      if (!resolved && !confirmed) {
        const fresh = stamped(claim, verified.scopes, await read(claim), true);
        return fresh
          ? { ok: true, ...fresh, expiresAtMs: verified.expiresAtMs }
          : { ok: false, reason: 'unknown-user' };
      }
      if (!resolved) return { ok: false, reason: 'unknown-user' };
      return { ok: true, ...resolved, expiresAtMs: verified.expiresAtMs };
    },
  };
}
