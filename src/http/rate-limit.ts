// Per-caller rate limiting (OWASP API4) with @fastify/rate-limit: at most `max` API requests per
// `windowMs` per caller, then 429-001 with Retry-After until the window ends.
//
// The API gate runs the check right after the token is verified, so the key is the *verified*
// user: keyed on an unverified `sub`, one client could spread its requests over made-up subjects.
// A request without a valid token is counted by client address (behind a proxy that is the proxy's,
// see docs/decisions.md). Counters live in this instance's memory: the limit is per instance.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './error-catalog.js';

import type { RateLimitSettings } from './overload-settings.js';

export { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './overload-settings.js';

export type RateLimitCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Keys held at most (least recently seen first out), so that many addresses cannot grow memory. */
const MAX_KEYS = 10_000;

export async function registerRateLimit(
  server: FastifyInstance,
  settings: RateLimitSettings,
  onLimited: () => void,
): Promise<RateLimitCheck | undefined> {
  if (settings.max === 0) return undefined;
  await server.register(rateLimit, {
    // Not a hook of every route: the API gate calls the check once the caller is known.
    global: false,
    max: settings.max,
    timeWindow: settings.windowMs,
    cache: MAX_KEYS,
    keyGenerator: (request) =>
      request.caller
        ? `user:${request.caller.userId}`
        : request.clientApp
          ? `client:${request.clientApp.clientId || request.ip}`
          : `address:${request.ip}`,
    // Only a refused request says how the limit stands; others stay as they were.
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
    onExceeded: onLimited,
    errorResponseBuilder: (_request, context) => {
      const seconds = Math.max(1, Math.ceil(context.ttl / 1000));
      return new ApiError('429-001', { seconds }, [], { 'retry-after': String(seconds) });
    },
  });
  return server.rateLimit();
}
