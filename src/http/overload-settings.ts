// The settings of the instance's self-protection (turn taking, under-pressure, the rate limit) and
// their defaults, apart from the code that applies them: config.ts reads them for every CLI command,
// and a command like `casemgr token` must not load @fastify/rate-limit, @fastify/under-pressure or
// the turn queue to learn a default (as pool-settings.ts and transaction-settings.ts, for the store).

export const OVERLOAD_CONTROLS = ['turns', 'under-pressure', 'off'] as const;
export type OverloadControl = (typeof OVERLOAD_CONTROLS)[number];

export interface UnderPressureLimits {
  /** Mean event-loop delay over a sample above which API requests are refused; 0 = not checked. */
  readonly maxEventLoopDelayMs: number;
  /** Event-loop utilization (0–1) over a sample above which API requests are refused; 0 = not checked. */
  readonly maxEventLoopUtilization: number;
  /** Heap in use above which API requests are refused; 0 = not checked (not a setting; tests use it). */
  readonly maxHeapUsedBytes?: number;
}

export const DEFAULT_UNDER_PRESSURE: UnderPressureLimits = {
  maxEventLoopDelayMs: 100,
  maxEventLoopUtilization: 0,
};

export interface RateLimitSettings {
  /** Requests per window and caller; 0 = no limit. */
  readonly max: number;
  readonly windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { max: 600, windowMs: 60_000 };

export const DEFAULT_TURN_MS = 10;
/** Requests that may wait for a turn; one more is refused (0 = no bound). */
export const DEFAULT_TURN_QUEUE_MAX = 1000;
/** How long a request may wait for its turn before it is refused instead of run (0 = no bound). */
export const DEFAULT_TURN_WAIT_MAX_MS = 2000;
