// A client that drops its connection while its body is being read is a client abort, logged at info —
// not a database fault logged as 503-100 "database unavailable". A real socket sends the headers and
// half the body, and destroys itself as soon as the server starts reading the body. The store plays no
// part, so one dialect is enough.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureLog, LEVEL } from './support/captured-log.js';
import { startTestService, type TestService } from './support/test-service.js';
import { pickRequestHead } from './support/raw-socket.js';

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (condition()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('a client that drops its connection mid-upload', () => {
  const log = captureLog();
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', { logger: log.logger });
  });
  after(() => service.close());

  it('is logged at info as a client abort, not as a database fault, and nothing is picked', async () => {
    const lastModified = await service.lastModified('100001');
    const body = JSON.stringify({ activity: [{ id: '100001', lastModified }] });
    const socket = connect(service.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    // The moment the server starts reading the body (Fastify resumes the request stream), leave.
    service.app.server.server.once('request', (request: IncomingMessage) => {
      request.once('resume', () => socket.destroy());
    });
    socket.write(
      pickRequestHead(service.token('bob'), Buffer.byteLength(body)) + body.slice(0, body.length / 2),
    );
    const over = new Set(['client aborted the request', 'request failed', 'request rejected']);
    await until('the request is over', () => log.lines.some((line) => over.has(line.msg ?? '')));

    const abort = log.lines.find((line) => line.msg === 'client aborted the request');
    assert.equal(abort?.level, LEVEL.info);
    const reqId = abort?.reqId;
    const ofRequest = log.lines.filter((line) => line.reqId === reqId);
    assert.deepEqual(
      ofRequest.filter((line) => line.level >= LEVEL.warn),
      [],
      'nothing at warn or error for this request',
    );
    assert.deepEqual(log.containing('503-100'), [], 'not a database fault');
    assert.equal(await service.lastModified('100001'), lastModified);
    assert.equal((await service.history('100001')).length, 0);
  });
});
