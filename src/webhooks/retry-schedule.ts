// When a failed delivery is tried again: exponential backoff with jitter, a receiver's Retry-After
// honoured, and never past the delivery's max age (the last attempt is made at the deadline; after
// it the delivery becomes a dead letter).

export interface RetrySettings {
  /** The first retry's delay before jitter; each further attempt doubles it. */
  readonly baseMs: number;
  /** The longest delay between two attempts. */
  readonly maxDelayMs: number;
  /** How long after it was written an undelivered event becomes a dead letter. */
  readonly maxAgeMs: number;
}

export const DEFAULT_RETRY: RetrySettings = { baseMs: 1_000, maxDelayMs: 600_000, maxAgeMs: 86_400_000 };

/**
 * `attempts`: attempts made so far, this one included (≥ 1). "Equal jitter": half the delay fixed,
 * half random, so retries of many deliveries spread out yet none comes back at once.
 */
export function backoffMs(
  settings: RetrySettings,
  attempts: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(settings.maxDelayMs, settings.baseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

/** Retry-After as delta-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from now; undefined if unreadable. */
export function retryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The next attempt's time, or undefined when the delivery is out of time (dead letter). */
export function nextAttemptAt(
  settings: RetrySettings,
  delivery: { readonly createdMs: number; readonly attempts: number },
  nowMs: number,
  requestedDelayMs: number | undefined,
  random?: () => number,
): number | undefined {
  const deadline = delivery.createdMs + settings.maxAgeMs;
  if (nowMs >= deadline) return undefined;
  // Never sooner than the receiver asked, nor sooner than the backoff (a Retry-After of 0 is no licence
  // to hammer it).
  const delay = Math.max(requestedDelayMs ?? 0, backoffMs(settings, delivery.attempts, random));
  return Math.min(nowMs + delay, deadline);
}
