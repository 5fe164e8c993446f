// Connections are bounded in time and number (issue 9 §3, OWASP API4): a request that stalls is
// closed after the request timeout, and a connection over the cap is refused while the ones already
// held are still served. Small limits are configured so that the tests see them act; the deadlines
// below only turn a connection the server never closes into a failure instead of a hang.
// Connections are the HTTP layer's business, so the embedded store is enough.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startService } from '../src/cli/serve-command.js';
import { ConfigError, parseConfig } from '../src/config.js';
import { DEFAULT_CONNECTION_LIMITS } from '../src/http/connection-limits.js';
import { openRawSocket, type RawSocket } from './support/raw-socket.js';
import { startTestService, type TestService } from './support/test-service.js';

const NEVER = { timeout: 30_000 };
const LIVE = 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

describe('a request that stalls', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', {
      connectionLimits: { ...DEFAULT_CONNECTION_LIMITS, requestTimeoutMs: 300, headersTimeoutMs: 200 },
    });
  });
  after(() => service.close());

  it('a body that stops arriving: the connection is closed', NEVER, async () => {
    const client = await openRawSocket(service.port);
    try {
      client.write(
        [
          'PATCH /core/casemgr/v3/activity/pick HTTP/1.1',
          'Host: 127.0.0.1',
          `Authorization: Bearer ${service.token('alice')}`,
          'Content-Type: application/json',
          'Content-Length: 1000',
          '',
          '{"activity":[',
        ].join('\r\n'),
      );
      await client.closed();
    } finally {
      client.destroy();
    }
  });

  it('header fields that stop arriving: the connection is closed', NEVER, async () => {
    const client = await openRawSocket(service.port);
    try {
      client.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      await client.closed();
    } finally {
      client.destroy();
    }
  });

  it('a connection that sends nothing: closed', NEVER, async () => {
    const client = await openRawSocket(service.port);
    try {
      await client.closed();
    } finally {
      client.destroy();
    }
  });
});

describe('the connection cap', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', {
      connectionLimits: { ...DEFAULT_CONNECTION_LIMITS, maxConnections: 3 },
    });
  });
  after(() => service.close());

  it('refuses a connection over the cap while the held ones are still answered', NEVER, async () => {
    const held: RawSocket[] = [];
    try {
      // Each held connection has been served once, so the server has surely accepted it.
      for (let i = 0; i < 3; i++) {
        const client = await openRawSocket(service.port);
        held.push(client);
        client.write(LIVE);
        assert.equal((await client.response()).status, 200);
      }
      const over = await openRawSocket(service.port);
      held.push(over);
      over.write(LIVE);
      await assert.rejects(over.response(), /closed before a full response/);
      held[0].write(LIVE);
      assert.equal((await held[0].response()).status, 200);
    } finally {
      for (const client of held) client.destroy();
    }
  });
});

describe('the settings', () => {
  it('casemgr serve gives REQUEST_/HEADERS_/KEEP_ALIVE_TIMEOUT_MS and MAX_CONNECTIONS to the server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casemgr-limits-'));
    try {
      const config = parseConfig({
        DATABASE_URL: `sqlite:${join(dir, 'casemgr.db')}`,
        PORT: '0',
        LOG_LEVEL: 'silent',
        REQUEST_TIMEOUT_MS: '12000',
        HEADERS_TIMEOUT_MS: '3000',
        KEEP_ALIVE_TIMEOUT_MS: '4000',
        MAX_CONNECTIONS: '77',
      });
      const service = await startService(config, { demo: false });
      try {
        const server = service.app.server.server;
        assert.equal(server.requestTimeout, 12_000);
        assert.equal(server.headersTimeout, 3_000);
        assert.equal(server.keepAliveTimeout, 4_000);
        assert.equal(server.maxConnections, 77);
      } finally {
        await service.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('have safe defaults: every limit is set', () => {
    const { connectionLimits } = parseConfig({});
    assert.deepEqual(connectionLimits, DEFAULT_CONNECTION_LIMITS);
    for (const value of Object.values(connectionLimits)) assert.ok(value > 0 && Number.isFinite(value));
  });

  it('refuse a headers timeout longer than the request timeout, and zero', () => {
    assert.throws(
      () => parseConfig({ REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '2000' }),
      (error) => error instanceof ConfigError && /HEADERS_TIMEOUT_MS/.test(error.message),
    );
    for (const name of ['REQUEST_TIMEOUT_MS', 'KEEP_ALIVE_TIMEOUT_MS', 'MAX_CONNECTIONS'] as const) {
      assert.throws(() => parseConfig({ [name]: '0' }), ConfigError);
    }
  });
});
