// What an instance does when more requests arrive than it can serve (OVERLOAD_CONTROL):
// - `turns` (default): API requests take event-loop turns (turn-taking.ts) in a bounded queue; past
//   its bound, or after waiting too long, a request is refused with 503-100 (load shedding).
// - `under-pressure`: no turns; @fastify/under-pressure samples the event loop's delay (and, when
//   asked, its utilization) and refuses API requests with 503-100 while a threshold is passed.
// - `off`: neither; every request is queued in the event loop itself, without bound.
// Health and metrics are never refused: a probe must see the instance as it is.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './error-catalog.js';
import { negotiateInto } from './negotiation.js';

import type { UnderPressureLimits } from './overload-settings.js';

export {
  DEFAULT_UNDER_PRESSURE,
  OVERLOAD_CONTROLS,
  type OverloadControl,
  type UnderPressureLimits,
} from './overload-settings.js';

/** How often under-pressure samples: short, so that it lets requests in again soon after a spike. */
const SAMPLE_INTERVAL_MS = 100;

/** Overload passes in seconds, not minutes: a refused client may come back soon. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 2;

export const overloaded = (): ApiError =>
  new ApiError('503-100', { seconds: OVERLOAD_RETRY_AFTER_SECONDS }, [], {
    'retry-after': String(OVERLOAD_RETRY_AFTER_SECONDS),
  });

export async function registerUnderPressure(
  server: FastifyInstance,
  limits: UnderPressureLimits,
  onRefused: () => void,
): Promise<void> {
  await server.register(underPressure, {
    maxEventLoopDelay: limits.maxEventLoopDelayMs,
    maxEventLoopUtilization: limits.maxEventLoopUtilization,
    maxHeapUsedBytes: limits.maxHeapUsedBytes ?? 0,
    // Utilization over the last sample, not since the process started.
    eventLoopUtilizationMode: 'interval',
    sampleInterval: SAMPLE_INTERVAL_MS,
    pressureHandler: (request) => {
      // Health and metrics go on (a nullish answer lets the request through).
      if (!request.routeOptions.config.api) return;
      onRefused();
      // The gate has not run yet: the error body still speaks the client's format and language.
      negotiateInto(request);
      return Promise.reject(overloaded());
    },
  });
}
