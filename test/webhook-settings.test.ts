// WEBHOOK_* settings: validated at start, one line naming the setting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../src/config.js';

describe('webhook settings', () => {
  it('defaults: private addresses denied, 10 s timeout, 24 h max age, delivered rows kept 24 h', () => {
    const { webhooks } = parseConfig({});
    assert.equal(webhooks.privateAddresses, 'deny');
    assert.equal(webhooks.timeoutMs, 10_000);
    assert.equal(webhooks.maxAgeMs, 86_400_000);
    assert.ok(webhooks.leaseMs > webhooks.timeoutMs);
    assert.equal(webhooks.retainDeliveredMs, 86_400_000);
    assert.equal(webhooks.pruneIntervalMs, 60_000);
    assert.equal(parseConfig({ WEBHOOK_RETAIN_DELIVERED_MS: '0' }).webhooks.retainDeliveredMs, 0);
  });

  it('takes allow-loopback and allow, and refuses anything else', () => {
    assert.equal(
      parseConfig({ WEBHOOK_PRIVATE_ADDRESSES: 'allow-loopback' }).webhooks.privateAddresses,
      'allow-loopback',
    );
    assert.equal(parseConfig({ WEBHOOK_PRIVATE_ADDRESSES: 'ALLOW' }).webhooks.privateAddresses, 'allow');
    assert.throws(
      () => parseConfig({ WEBHOOK_PRIVATE_ADDRESSES: 'yes' }),
      (e: unknown) => e instanceof ConfigError && /WEBHOOK_PRIVATE_ADDRESSES/.test(e.message),
    );
  });

  it('a lease no longer than the timeout is refused: a second instance would send while the first waits', () => {
    assert.throws(
      () => parseConfig({ WEBHOOK_TIMEOUT_MS: '5000', WEBHOOK_LEASE_MS: '5000' }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /WEBHOOK_LEASE_MS \(5000\) must exceed WEBHOOK_TIMEOUT_MS \(5000\)/.test(e.message),
    );
    for (const name of [
      'WEBHOOK_TIMEOUT_MS',
      'WEBHOOK_MAX_AGE_MS',
      'WEBHOOK_RETRY_BASE_MS',
      'WEBHOOK_POLL_MS',
      'WEBHOOK_CONCURRENCY',
      'WEBHOOK_PRUNE_INTERVAL_MS',
    ]) {
      assert.throws(
        () => parseConfig({ [name]: '0' }),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith(name),
        name,
      );
    }
  });
});
