import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, nextAttemptAt, retryAfterMs } from './retry-schedule.js';

const SETTINGS = { baseMs: 1000, maxDelayMs: 60_000, maxAgeMs: 86_400_000 };

describe('webhook retry schedule', () => {
  it('doubles per attempt, with half of each delay random, up to the max delay', () => {
    assert.equal(
      backoffMs(SETTINGS, 1, () => 0),
      500,
    );
    assert.equal(
      backoffMs(SETTINGS, 1, () => 1),
      1000,
    );
    assert.equal(
      backoffMs(SETTINGS, 3, () => 0),
      2000,
    );
    assert.equal(
      backoffMs(SETTINGS, 3, () => 1),
      4000,
    );
    assert.equal(
      backoffMs(SETTINGS, 40, () => 1),
      60_000,
    );
    assert.equal(
      backoffMs(SETTINGS, 40, () => 0),
      30_000,
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs('Thu, 03 Dec 2026 10:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(undefined, now), undefined);
  });

  it('waits at least what Retry-After asks, never past the max age, and gives up after it', () => {
    const created = 0;
    assert.equal(
      nextAttemptAt(SETTINGS, { createdMs: created, attempts: 1 }, 10, 5000, () => 0),
      5010,
    );
    // The backoff is longer than a Retry-After of 0: the backoff wins.
    assert.equal(
      nextAttemptAt(SETTINGS, { createdMs: created, attempts: 3 }, 10, 0, () => 0),
      2010,
    );
    const nearEnd = SETTINGS.maxAgeMs - 100;
    assert.equal(
      nextAttemptAt(SETTINGS, { createdMs: created, attempts: 9 }, nearEnd, undefined),
      SETTINGS.maxAgeMs,
    );
    assert.equal(
      nextAttemptAt(SETTINGS, { createdMs: created, attempts: 10 }, SETTINGS.maxAgeMs, undefined),
      undefined,
    );
  });
});
