// Headers of every /core/casemgr answer and of requests: Cache-Control: no-store on all API answers
// (errors too), and a Content-Encoding the service does not decode is 415-100 naming that header.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { expectError } from './support/expect-error.js';
import { startTestService, type TestService } from './support/test-service.js';

describe('API response and request headers', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite');
  });
  after(() => service.close());

  const read = (path: string, authorization?: string) =>
    service.request({ path, headers: { authorization } });

  it('every /core/casemgr answer carries Cache-Control: no-store, errors included', async () => {
    const bearer = `Bearer ${service.token('alice')}`;
    const answers = [
      await read('/core/casemgr/v3/activity/100001', bearer), // 200
      await read('/core/casemgr/v3/activity/100001'), // 401-101
      await read('/core/casemgr/v3/activity/abc', bearer), // 400-106
      await read('/core/casemgr/v3/no-such-route', bearer), // 404-101
      await read(`/core/casemgr/v3/activity/${'1,'.repeat(1500)}1`, bearer), // the router's own error
      await service.pick('bob', []), // 400
    ];
    for (const response of answers) {
      assert.equal(
        response.headers['cache-control'],
        'no-store',
        `${response.status} ${response.text.slice(0, 80)}`,
      );
    }
    assert.deepEqual(
      answers.map((r) => r.status),
      [200, 401, 400, 404, 400, 400],
    );
  });

  for (const encoding of ['gzip', 'br', 'deflate', 'gzip, identity']) {
    it(`415-100 naming Content-Encoding for a body sent with Content-Encoding: ${encoding}`, async () => {
      const response = await service.request({
        method: 'PATCH',
        path: '/core/casemgr/v3/activity/pick',
        headers: {
          authorization: `Bearer ${service.token('bob')}`,
          'content-type': 'application/json',
          'content-encoding': encoding,
        },
        body: gzipSync(JSON.stringify({ activity: [{ id: '100001', lastModified: 'x' }] })),
      });
      expectError(response, 415, '415-100');
      assert.deepEqual(response.json().details, [{ key: 'header', value: 'Content-Encoding' }]);
    });
  }

  it('Content-Encoding: identity is no encoding at all', async () => {
    const response = await service.request({
      method: 'PATCH',
      path: '/core/casemgr/v3/activity/pick',
      headers: {
        authorization: `Bearer ${service.token('bob')}`,
        'content-type': 'application/json',
        'content-encoding': 'identity',
      },
      body: JSON.stringify({
        activity: [{ id: '100001', lastModified: await service.lastModified('100001') }],
      }),
    });
    assert.equal(response.status, 204, response.text);
  });
});
