// OVERLOAD_CONTROL through a real server: a bounded turn queue sheds with 503-100 and Retry-After,
// under-pressure does the same while a threshold is passed, and `off` takes no turns. Health and
// metrics are never refused. Overload control sits in front of the store: the embedded store is enough.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTurnTaking, type TurnOutcome, type TurnTaking } from '../src/http/turn-taking.js';
import { expectError } from './support/expect-error.js';
import { startTestService, type HttpResponse, type TestService } from './support/test-service.js';

const READ = '/core/casemgr/v3/activity/100001';

async function metric(service: TestService, line: string): Promise<number | undefined> {
  const text = (await service.request({ path: '/metrics' })).text;
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.split(' ')[1]);
}

function read(service: TestService, headers: Record<string, string> = {}) {
  return service.request({
    path: READ,
    headers: { authorization: `Bearer ${service.token('alice')}`, ...headers },
  });
}

/** 503-100 with Retry-After, in JSON/en-US and in XML/French as negotiated; probes unaffected. */
async function expectOverloadAnswers(
  service: TestService,
  cause: string,
  send: (headers?: Record<string, string>) => Promise<HttpResponse>,
): Promise<void> {
  const json = await send();
  expectError(json, 503, '503-100', {
    message: 'The service is temporarily unavailable. Retry after 2 seconds.',
  });
  assert.equal(json.headers['retry-after'], '2');
  const xml = await send({ accept: 'application/xml', 'accept-language': 'fr-FR' });
  assert.equal(xml.status, 503);
  assert.match(String(xml.headers['content-type']), /^application\/xml\b/);
  assert.match(xml.text, /<code>503-100<\/code>/);
  assert.match(xml.text, /Réessayez dans 2 secondes/);
  assert.equal(xml.headers['retry-after'], '2');
  // Probes see the instance as it is.
  assert.equal((await service.request({ path: '/health/live' })).status, 200);
  assert.equal((await service.request({ path: '/health/ready' })).status, 200);
  assert.ok(((await metric(service, `casemgr_requests_refused_total{cause="${cause}"}`)) ?? 0) >= 2);
}

describe('OVERLOAD_CONTROL=turns', () => {
  it('refuses a request that waited longer than TURN_WAIT_MAX_MS with 503-100 and Retry-After', async () => {
    // A clock on which every reading is a second after the last: every request has waited 1 s when
    // its turn comes.
    let now = 0;
    const turns = createTurnTaking(10, { maxWaitMs: 500, nowMs: () => (now += 1000) });
    const service = await startTestService('sqlite', { turns });
    try {
      await expectOverloadAnswers(service, 'waited_too_long', (headers) => read(service, headers));
    } finally {
      await service.close();
    }
  });

  it('refuses at once the requests that find TURN_QUEUE_MAX waiting', async () => {
    const turns = createTurnTaking(10, { maxWaiting: 1 });
    const service = await startTestService('sqlite', { turns });
    const sockets: Socket[] = [];
    try {
      // Ten connections, all accepted by the server before any sends: their requests then arrive in
      // the same event-loop iteration, where one may wait and the others find the queue full.
      for (let i = 0; i < 10; i++) {
        const socket = connect(service.port, '127.0.0.1');
        await new Promise<void>((resolve) => socket.once('connect', resolve));
        sockets.push(socket);
      }
      const connections = () =>
        new Promise<number>((resolve, reject) =>
          service.app.server.server.getConnections((error, count) =>
            error ? reject(error) : resolve(count),
          ),
        );
      for (let tries = 0; (await connections()) < 10; tries++) {
        assert.ok(tries < 500, 'the server did not accept the connections');
        await sleep(10);
      }
      const token = service.token('alice');
      const statuses = sockets.map(
        (socket) =>
          new Promise<string>((resolve) => {
            let text = '';
            socket.on('data', (chunk: Buffer) => {
              text += chunk.toString('utf8');
              if (text.includes('\r\n\r\n')) resolve(text);
            });
          }),
      );
      for (const socket of sockets) {
        socket.write(
          `GET ${READ} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
        );
      }
      const answers = await Promise.all(statuses);
      const shed = answers.filter((a) => a.startsWith('HTTP/1.1 503'));
      assert.ok(shed.length >= 1, 'some found the queue full');
      assert.ok(shed.length <= 9, 'one was served');
      for (const answer of shed) assert.match(answer, /\r\nretry-after: 2\r\n/i);
      assert.equal(await metric(service, 'casemgr_requests_refused_total{cause="queue_full"}'), shed.length);
    } finally {
      for (const socket of sockets) socket.destroy();
      await service.close();
    }
  });
});

describe('OVERLOAD_CONTROL=under-pressure', () => {
  it('refuses API requests with 503-100 and Retry-After while a threshold is passed', async () => {
    // A heap of more than one byte is always "too much": the first sample puts it under pressure.
    const service = await startTestService('sqlite', {
      overload: 'under-pressure',
      underPressure: { maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0, maxHeapUsedBytes: 1 },
    });
    try {
      for (let tries = 0; (await read(service)).status !== 503; tries++) {
        assert.ok(tries < 500, 'never under pressure');
        await sleep(10);
      }
      await expectOverloadAnswers(service, 'under_pressure', (headers) => read(service, headers));
    } finally {
      await service.close();
    }
  });

  it('serves as usual below its thresholds, without taking turns', async () => {
    const turns = refusingTurns();
    const service = await startTestService('sqlite', {
      overload: 'under-pressure',
      underPressure: { maxEventLoopDelayMs: 60_000, maxEventLoopUtilization: 0 },
      turns,
    });
    try {
      // The first sample may find no event-loop delay recorded yet, which under-pressure takes for
      // an infinite one: the next sample, a tenth of a second later, sets that right.
      for (let tries = 0; (await read(service)).status !== 200; tries++) {
        assert.ok(tries < 500, 'never served');
        await sleep(10);
      }
      assert.equal(turns.asked, 0);
    } finally {
      await service.close();
    }
  });
});

/** Turn taking that refuses every request (it would be shed), and counts who asked. */
function refusingTurns(): TurnTaking & { readonly asked: number } {
  let asked = 0;
  return {
    take: () => {
      asked++;
      return Promise.resolve<TurnOutcome>('queue full');
    },
    get waiting() {
      return 0;
    },
    get asked() {
      return asked;
    },
  };
}

describe('OVERLOAD_CONTROL=off', () => {
  it('takes no turns: a request is served although every turn would be refused', async () => {
    const turns = refusingTurns();
    const service = await startTestService('sqlite', { overload: 'off', turns });
    try {
      assert.equal((await read(service)).status, 200);
      assert.equal(turns.asked, 0);
    } finally {
      await service.close();
    }
  });
});
