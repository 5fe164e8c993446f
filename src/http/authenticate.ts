// Rule 1 for every API route: the caller of a valid token, or 401-101 — and 503-100 when the
// token cannot be judged because the issuer's key set is out of reach (a new login would not help).
import type { FastifyRequest } from 'fastify';
import type { CallerResolver, FactsCheck, FactsStamp } from '../auth/caller-resolver.js';
import { KeySetUnavailableError } from '../auth/jwks-key-set.js';
import type { Caller, ClientApplication } from '../domain/caller.js';
import { ApiError } from './error-catalog.js';

export type Authenticated =
  | {
      readonly caller: Caller;
      readonly stamp: FactsStamp;
      readonly expiresAtMs: number;
      readonly client?: undefined;
    }
  | {
      readonly caller?: undefined;
      readonly stamp?: undefined;
      readonly expiresAtMs?: undefined;
      readonly client: ClientApplication;
    };

/**
 * `clientsAllowed`: whether the operation admits client-application tokens (contract "Callers");
 * the others refuse them with 401-101, as pick always did.
 */
export async function authenticate(
  request: FastifyRequest,
  callers: CallerResolver,
  clientsAllowed: boolean,
  check: FactsCheck = 'now',
): Promise<Authenticated> {
  let resolution;
  try {
    resolution = await callers.resolve(request.headers.authorization, check);
  } catch (error) {
    if (!(error instanceof KeySetUnavailableError)) throw error;
    const seconds = error.retryAfterSeconds;
    request.log.warn({ reason: 'key-set-unavailable', err: error.cause }, 'token not judged');
    throw new ApiError('503-100', { seconds }, [], { 'retry-after': String(seconds) });
  }
  if (!resolution.ok) {
    // Why, for whoever reads the log (the client learns only 401-101); never the token itself.
    const { reason, claim } = resolution;
    request.log.info(claim === undefined ? { reason } : { reason, claim }, 'token refused');
    throw new ApiError('401-101');
  }
  if (resolution.client) {
    if (clientsAllowed) return { client: resolution.client };
    request.log.info({ reason: 'no-user-claim' }, 'token refused');
    throw new ApiError('401-101');
  }
  return { caller: resolution.caller, stamp: resolution.stamp, expiresAtMs: resolution.expiresAtMs };
}
