// The live stream's limits against MAX_CONNECTIONS: left unset they fit inside it; chosen ones are
// checked, so a configuration that could never hold its streams is refused at start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../src/config.js';

describe('event stream settings', () => {
  it('shrink the default stream limits to a smaller MAX_CONNECTIONS', () => {
    const config = parseConfig({ MAX_CONNECTIONS: '77' });
    assert.equal(config.eventStream.maxClients, 77);
    assert.ok(config.eventStream.maxPerUser <= 77);
  });

  it('refuse a chosen STREAM_MAX_CLIENTS above MAX_CONNECTIONS', () => {
    assert.throws(
      () => parseConfig({ MAX_CONNECTIONS: '77', STREAM_MAX_CLIENTS: '100' }),
      (error: unknown) => error instanceof ConfigError && /STREAM_MAX_CLIENTS \(100\)/.test(error.message),
    );
  });

  it('refuse a chosen STREAM_MAX_PER_USER above STREAM_MAX_CLIENTS', () => {
    assert.throws(
      () => parseConfig({ STREAM_MAX_CLIENTS: '10', STREAM_MAX_PER_USER: '20' }),
      (error: unknown) => error instanceof ConfigError && /STREAM_MAX_PER_USER \(20\)/.test(error.message),
    );
  });

  it('read the outbox every STREAM_BATCH_MS (50 ms unset, 0 for every commit), refusing a negative one', () => {
    assert.equal(parseConfig({}).eventStream.batchMs, 50);
    assert.equal(parseConfig({ STREAM_BATCH_MS: '0' }).eventStream.batchMs, 0);
    assert.throws(
      () => parseConfig({ STREAM_BATCH_MS: '-1' }),
      (error: unknown) => error instanceof ConfigError && /STREAM_BATCH_MS/.test(error.message),
    );
  });
});
