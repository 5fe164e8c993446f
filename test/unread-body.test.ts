// A request refused before its body is needed (no or bad token, a refused header) is answered
// without the body being read, and the connection is closed after the answer (`Connection: close`),
// so that the rest of the body is neither read nor taken as the next request (issue 9 §3). Through
// a real socket: the answer must arrive while 10 MB of announced body are still unsent. The store
// plays no part, so the embedded store is enough.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openRawSocket } from './support/raw-socket.js';
import { startTestService, type TestService } from './support/test-service.js';

const TEN_MB = 10 * 1024 * 1024;

describe('a refused request with a body still on its way', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite');
  });
  after(() => service.close());

  async function sendHead(headers: readonly string[], contentLength: number, firstBytes: string) {
    const client = await openRawSocket(service.port);
    client.write(
      [
        'PATCH /core/casemgr/v3/activity/pick HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        `Content-Length: ${contentLength}`,
        ...headers,
        '',
        firstBytes,
      ].join('\r\n'),
    );
    return client;
  }

  for (const [label, headers] of [
    ['no token', []],
    ['a bad token', ['Authorization: Bearer not.a.token']],
  ] as const) {
    it(`${label}: 401 before the body is sent, then the connection is closed`, async () => {
      const client = await sendHead(headers, TEN_MB, '{"activity":[');
      try {
        const response = await client.response();
        assert.equal(response.status, 401);
        assert.equal((JSON.parse(response.body) as { code: string }).code, '401-101');
        assert.equal(response.headers.connection, 'close');
        await client.closed();
      } finally {
        client.destroy();
      }
    });
  }

  it('a refused header (406) with a body on its way: answered and closed the same way', async () => {
    const client = await sendHead(
      [`Authorization: Bearer ${service.token('alice')}`, 'Accept: text/plain'],
      TEN_MB,
      '{"activity":[',
    );
    try {
      const response = await client.response();
      assert.equal(response.status, 406);
      assert.equal(response.headers.connection, 'close');
      await client.closed();
    } finally {
      client.destroy();
    }
  });

  it('a body announced over 64 KiB, with a token: 413 before the body is sent, then closed', async () => {
    const client = await sendHead(
      [`Authorization: Bearer ${service.token('alice')}`],
      TEN_MB,
      '{"activity":[',
    );
    try {
      const response = await client.response();
      assert.equal(response.status, 413);
      assert.equal(response.headers.connection, 'close');
      await client.closed();
    } finally {
      client.destroy();
    }
  });

  it('a refused request whose body has fully arrived keeps its connection for the next request', async () => {
    const body = '{"activity":[]}';
    const client = await sendHead([], Buffer.byteLength(body), body);
    try {
      const response = await client.response();
      assert.equal(response.status, 401);
      assert.notEqual(response.headers.connection, 'close');
      client.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.equal((await client.response()).status, 200);
    } finally {
      client.destroy();
    }
  });
});
