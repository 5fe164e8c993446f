// The route's half of the facts cache (src/auth/caller-resolver.ts): a route configured with
// `factsCheck: 'by-route'` gets the caller's cached facts unconfirmed and reads the organisation
// version in a statement it makes anyway, instead of a round trip of its own before it. When the
// version moved, whatever was judged on the old facts is dropped and judged again on fresh ones.
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../domain/caller.js';
import { FactsMovedError } from '../store/store-errors.js';
import { ApiError } from './error-catalog.js';

/** A store's write method that also takes, after its own arguments, the facts' version to check. */
export type VersionChecking<F extends (...args: never[]) => unknown> = (
  ...args: [...Parameters<F>, factsVersion?: number]
) => ReturnType<F>;

export interface Attempt<T> {
  readonly value: T;
  /**
   * The organisation version the attempt's first statement read, when it was asked to read it;
   * undefined when it made none (a refusal judged on the facts alone), which counts as unchecked.
   */
  readonly versionSeen?: number;
}

/**
 * Runs `attempt` with the request's caller (undefined for a client application, which has no
 * facts) and, when the facts are unconfirmed, the version they were read at, which the attempt must
 * read the stored version against (undefined: confirmed facts, nothing to read). When
 * the version it saw is not the one the facts carry, the facts are read again and the attempt made
 * once more, on facts read after the request arrived: never an answer judged on stale facts.
 */
export async function withCheckedFacts<T>(
  request: FastifyRequest,
  attempt: (caller: Caller | undefined, factsVersion: number | undefined) => Promise<Attempt<T>>,
): Promise<T> {
  const stamp = request.factsStamp;
  const unconfirmed = request.caller !== undefined && stamp !== undefined && !stamp.confirmed;
  const first = await attempt(request.caller, unconfirmed ? stamp.version : undefined);
  if (!unconfirmed || first.versionSeen === stamp.version) return first.value;
  const fresh = await stamp.refresh();
  if (!fresh) {
    // Imports never remove users; should one be gone all the same, its token is refused as at the gate.
    request.log.info({ reason: 'unknown-user' }, 'token refused');
    throw new ApiError('401-101');
  }
  request.caller = fresh.caller;
  request.factsStamp = fresh.stamp;
  return (await attempt(fresh.caller, undefined)).value;
}

/**
 * withCheckedFacts for a write whose store reads the version with its row locks (pick, transfer,
 * complete, pull). `run` gets the caller, the version to check (undefined when confirmed), and
 * `checked`, through which it passes the store's result: a result that came back through it was
 * judged on facts of the current version. A write refused before reaching its store (on the facts
 * alone) is judged again on fresh facts; one whose store found the version moved wrote nothing
 * (FactsMovedError) and is made again on fresh facts.
 */
export async function withCheckedWrite<T>(
  request: FastifyRequest,
  run: (
    caller: Caller | undefined,
    factsVersion: number | undefined,
    checked: <R>(result: R) => R,
  ) => Promise<T>,
): Promise<T> {
  const made = await withCheckedFacts<{ readonly outcome: T } | undefined>(
    request,
    async (caller, factsVersion) => {
      let versionSeen: number | undefined;
      const checked = <R>(result: R): R => {
        versionSeen = factsVersion;
        return result;
      };
      try {
        return { value: { outcome: await run(caller, factsVersion, checked) }, versionSeen };
      } catch (error) {
        if (!(error instanceof FactsMovedError)) throw error;
        return { value: undefined, versionSeen: error.version };
      }
    },
  );
  // Made again on confirmed facts, a write is never told the version moved.
  if (!made) throw new Error('a write on confirmed facts found the organisation version moved');
  return made.outcome;
}
