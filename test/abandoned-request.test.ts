// A request whose client leaves while it waits for an event-loop turn (src/http/turn-taking.ts) is
// dropped: nothing is done in the client's name. Turn taking sits in front of the store, so one
// dialect is enough: the embedded store.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { heldTurns } from './support/held-turns.js';
import { startTestService, type TestService } from './support/test-service.js';
import { pickRequestHead } from './support/raw-socket.js';

async function until(what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (await condition()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting until ${what}`);
}

async function metric(service: TestService, name: string): Promise<number | undefined> {
  const text = (await service.request({ path: '/metrics' })).text;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('a request whose client left while it waited for a turn', () => {
  const { turns, grantAll } = heldTurns();
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', { turns });
  });
  after(() => service.close());

  it('is dropped unanswered: the pick it carried is not made, and it is counted', async () => {
    const lastModified = await service.lastModified('100001');
    assert.equal(await metric(service, 'casemgr_requests_abandoned_total'), 0);
    const body = JSON.stringify({ activity: [{ id: '100001', lastModified }] });
    const socket = connect(service.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(pickRequestHead(service.token('bob'), Buffer.byteLength(body)) + body);
    await until('the pick waits for its turn', () => turns.waiting === 1);
    socket.destroy();
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        service.app.server.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    await until('the server saw the client leave', async () => (await connections()) === 0);
    grantAll();
    // /metrics does not take a turn, so polling it admits nothing else.
    await until(
      'the request is counted as abandoned',
      async () => (await metric(service, 'casemgr_requests_abandoned_total')) === 1,
    );
    assert.equal(await service.lastModified('100001'), lastModified);
    const history = await service.history('100001');
    assert.equal(history.length, 0);
  });

  it('is answered as usual when its client stays', async () => {
    const lastModified = await service.lastModified('100001');
    const response = service.pick('bob', [{ id: '100001', lastModified }]);
    await until('the pick waits for its turn', () => turns.waiting === 1);
    grantAll();
    assert.equal((await response).status, 204);
    assert.equal(await metric(service, 'casemgr_requests_abandoned_total'), 1);
  });
});
