// What `casemgr serve` protects itself with when nothing is configured, and how the settings read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../src/config.js';

describe('overload and rate-limit settings', () => {
  it('default to turn taking with a bounded queue and a per-caller rate limit', () => {
    const config = parseConfig({});
    assert.equal(config.overload, 'turns');
    assert.equal(config.turnQueueMax, 1000);
    assert.equal(config.turnWaitMaxMs, 2000);
    assert.deepEqual(config.rateLimit, { max: 600, windowMs: 60_000 });
    assert.deepEqual(config.underPressure, { maxEventLoopDelayMs: 100, maxEventLoopUtilization: 0 });
  });

  it('read every control, 0 as "off" for the limit and the bounds, and the utilization in percent', () => {
    const config = parseConfig({
      OVERLOAD_CONTROL: ' Under-Pressure ',
      RATE_LIMIT_MAX: '0',
      TURN_QUEUE_MAX: '0',
      TURN_WAIT_MAX_MS: '0',
      UNDER_PRESSURE_MAX_ELU_PERCENT: '95',
    });
    assert.equal(config.overload, 'under-pressure');
    assert.equal(config.rateLimit.max, 0);
    assert.equal(config.turnQueueMax, 0);
    assert.equal(config.turnWaitMaxMs, 0);
    assert.equal(config.underPressure.maxEventLoopUtilization, 0.95);
    assert.equal(parseConfig({ OVERLOAD_CONTROL: 'off' }).overload, 'off');
  });

  it('refuse what they cannot read, naming the setting', () => {
    assert.throws(
      () => parseConfig({ OVERLOAD_CONTROL: 'fast' }),
      (e) => e instanceof ConfigError && /OVERLOAD_CONTROL/.test(e.message),
    );
    assert.throws(() => parseConfig({ RATE_LIMIT_MAX: '-1' }), /RATE_LIMIT_MAX/);
    assert.throws(
      () => parseConfig({ UNDER_PRESSURE_MAX_ELU_PERCENT: '101' }),
      /UNDER_PRESSURE_MAX_ELU_PERCENT/,
    );
  });
});
