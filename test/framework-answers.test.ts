// Answers the framework gives before any route runs — a request that is not HTTP (400), header fields
// over Node's limit (431), an unknown route, and every request while the service drains on shutdown —
// are eGain error bodies in the negotiated format, with X-Request-Id; the drain answer carries
// Retry-After and Connection: close. Raw sockets, because an HTTP client will not send what these
// tests send. Nothing here reaches the store, so one dialect is enough.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';
import { clientErrorHandler } from '../src/http/client-error-handler.js';
import { heldTurns } from './support/held-turns.js';
import { Messages } from '../src/i18n/messages.js';
import { startTestService, type TestService } from './support/test-service.js';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) };
}

async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Everything the server sends until it closes the connection. */
function untilClosed(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) =>
    socket.once('close', () => resolve(Buffer.concat(chunks).toString('utf8'))),
  );
}

/** What a socket has received so far, and whether it closed. */
function watch(socket: Socket): { text: string; closed: boolean } {
  const state = { text: '', closed: false };
  socket.on('data', (chunk: Buffer) => (state.text += chunk.toString('utf8')));
  socket.once('close', () => (state.closed = true));
  return state;
}

/** The first response in `text`, once its body (Content-Length) is complete. */
function completeResponse(text: string): RawResponse | undefined {
  if (!text.includes('\r\n\r\n')) return undefined;
  const response = parseResponse(text);
  return Buffer.byteLength(response.body) >= Number(response.headers['content-length'])
    ? response
    : undefined;
}

async function exchange(port: number, text: string): Promise<RawResponse> {
  const socket = await open(port);
  const received = untilClosed(socket);
  socket.write(text);
  return parseResponse(await received);
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    if (condition()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting until ${what}`);
}

function assertErrorBody(response: RawResponse, status: number, code: string, media: 'json' | 'xml') {
  assert.equal(response.status, status, response.body);
  assert.match(response.headers['x-request-id'] ?? '', /^[0-9a-f-]{36}$/);
  if (media === 'json') {
    assert.match(response.headers['content-type'] ?? '', /^application\/json/);
    assert.equal((JSON.parse(response.body) as { code: string }).code, code);
  } else {
    assert.match(response.headers['content-type'] ?? '', /^application\/xml/);
    assert.match(response.body, new RegExp(`<code>${code}</code>`));
  }
  assert.equal(Number(response.headers['content-length']), Buffer.byteLength(response.body));
}

describe('answers the framework gives', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite');
  });
  after(() => service.close());

  it('a request that is not HTTP: 400-100', async () => {
    const response = await exchange(service.port, 'GARBAGE\r\n\r\n');
    assertErrorBody(response, 400, '400-100', 'json');
  });

  it('a malformed request asking for XML in French: 400-100 in XML and French', async () => {
    const response = await exchange(
      service.port,
      'GET /health/live HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\nAccept-Language: fr-FR\r\nBad Header\r\n\r\n',
    );
    assertErrorBody(response, 400, '400-100', 'xml');
    assert.match(response.body, /<developerMessage>La requête/);
  });

  it('header fields of 20 KB: 431-100', async () => {
    const response = await exchange(
      service.port,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    );
    assertErrorBody(response, 431, '431-100', 'json');
  });

  it('an unknown route asked for in XML: 404-101 in XML', async () => {
    const response = await service.request({ path: '/nowhere', headers: { accept: 'application/xml' } });
    assert.equal(response.status, 404);
    assert.match(String(response.headers['content-type']), /^application\/xml/);
    assert.match(response.text, /<code>404-101<\/code>/);
    assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });
});

describe('a request too slow to arrive', () => {
  // The handler the service installs, on a bare Fastify whose timeouts are short enough to wait for.
  const app = Fastify({
    requestTimeout: 2000,
    http: { headersTimeout: 1000, connectionsCheckingInterval: 50 },
    clientErrorHandler: clientErrorHandler(new Messages()),
  });
  let port = 0;
  before(async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => app.close());

  it('headers not complete within headersTimeout: 408-100 naming the seconds', async () => {
    const socket = await open(port);
    const received = untilClosed(socket);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const response = parseResponse(await received);
    assertErrorBody(response, 408, '408-100', 'json');
    assert.match(response.body, /within 1 seconds/);
  });
});

describe('draining on shutdown', () => {
  const { turns, grantAll } = heldTurns();
  let service: TestService;
  before(async () => {
    service = await startTestService('sqlite', { turns });
  });
  after(() => service.close());

  it('answers 503-100 with Retry-After and Connection: close, finishes what was in flight, and closes', async () => {
    const read = (xml = false) =>
      `GET /core/casemgr/v3/activity/100001 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${service.token('bob')}\r\n` +
      (xml ? 'Accept: application/xml\r\n' : '') +
      '\r\n';
    // In flight when shutdown begins: a keep-alive request waiting for its turn.
    const inFlight = await open(service.port);
    const inFlightState = watch(inFlight);
    inFlight.write(read());
    await until('the request waits for its turn', () => turns.waiting === 1);
    // Arriving during shutdown: a request whose first line was sent before, the rest after.
    let serverSide: Socket | undefined;
    service.app.server.server.once('connection', (socket: Socket) => (serverSide = socket));
    const late = await open(service.port);
    const lateAnswer = untilClosed(late);
    late.write('GET /core/casemgr/v3/activity/100001 HTTP/1.1\r\nHost: x\r\n');
    // Read (and so parsed) by the server: the connection is busy, not idle, when shutdown begins.
    await until('the server has read the first line', () => (serverSide?.bytesRead ?? 0) > 0);

    let closed = false;
    const closing = service.app.server.close().then(() => {
      closed = true;
    });
    late.write('Accept: application/xml\r\n\r\n');
    const drained = parseResponse(await lateAnswer);
    assertErrorBody(drained, 503, '503-100', 'xml');
    assert.equal(drained.headers['retry-after'], '5');
    assert.equal(drained.headers.connection, 'close');

    grantAll();
    await until(
      'the request in flight is answered',
      () => completeResponse(inFlightState.text) !== undefined,
    );
    const finished = completeResponse(inFlightState.text)!;
    assert.equal(finished.status, 200, finished.body);
    // Kept alive, the connection would hold close() up to the keep-alive timeout (72 s).
    assert.equal(finished.headers.connection, 'close', 'a keep-alive connection is not kept during shutdown');
    await until('the server closed the connection', () => inFlightState.closed);
    await until('the server has closed', () => closed);
    await closing;
  });
});
