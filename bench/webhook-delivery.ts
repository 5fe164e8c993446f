// `node --import tsx bench/webhook-delivery.ts [--store sqlite|postgres] [--rate 1000] [--seconds 10]
//   [--activities 200]` — does webhook delivery keep up with RATE events/s to one receiver (issue 13)?
//
// Events are written at a fixed rate (one transaction every 10 ms, each appending RATE/100 events for
// different activities, with appendEvents as the writes do); one subscription; a real HTTP receiver.
// Writer, deliverer and receiver share this one process and its event loop (a conservative setting:
// the receiver's work is the deliverer's loss). Reports the delivered rate and the lag from an
// event's write to its arrival. PostgreSQL: TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/app.js';
import { appendEvents, type OutboxEvent } from '../src/store/outbox.js';
import { openDatabase } from '../src/store/database.js';
import { createTransactional } from '../src/store/transaction.js';
import { WebhookStore } from '../src/store/webhook-store.js';
import { DEFAULT_DELIVERER } from '../src/webhooks/deliverer.js';
import { createTestDatabase } from '../test/support/test-databases.js';
import { EMBEDDED_AUTH } from '../test/support/test-service.js';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    activities: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: String(DEFAULT_DELIVERER.concurrency) },
  },
});
const dialect = values.store === 'postgres' ? 'postgres' : 'sqlite';
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const activities = Number(values.activities);
const TICK_MS = 10;
const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));

const testDatabase = await createTestDatabase(dialect);
const database = await openDatabase(testDatabase.target);
const written = new Map<string, number>();
const lags: number[] = [];
let firstArrival = 0;
let lastArrival = 0;
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    const now = performance.now();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      messages: { payload: { seq: string } }[];
    };
    const seq = body.messages[0].payload.seq;
    const at = written.get(seq);
    if (at !== undefined) {
      lags.push(now - at);
      written.delete(seq);
    }
    firstArrival ||= now;
    lastArrival = now;
    response.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const port = (receiver.address() as AddressInfo).port;

const transactional = createTransactional(database.db, dialect);
await new WebhookStore(database.db, dialect, transactional).add(
  {
    url: `http://127.0.0.1:${port}/hook`,
    eventTypes: ['activity_transition'],
    secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
    active: true,
  },
  Date.now(),
);
const app = await buildApp({
  database,
  auth: EMBEDDED_AUTH,
  webhooks: {
    ...DEFAULT_DELIVERER,
    privateAddresses: 'allow-loopback',
    pollMs: 50,
    concurrency: Number(values.concurrency),
  },
});
// The deliverer starts once the instance listens.
await app.server.listen({ port: 0, host: '127.0.0.1' });

const total = rate * seconds;
let seq = 0;
const started = performance.now();
const writing = (async () => {
  for (let tick = 0; seq < total; tick++) {
    const due = started + tick * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const events: OutboxEvent[] = [];
    for (let i = 0; i < perTick && seq < total; i++, seq++) {
      const activityId = String(100_000 + (seq % activities));
      events.push({
        type: 'activity_transition',
        activityId,
        caseId: null,
        departmentId: '1',
        actor: 'bench',
        requestId: `bench-${seq}`,
        atMs: Date.now(),
        payload: { seq: String(seq), activity: { id: activityId } },
      });
      written.set(String(seq), performance.now());
    }
    await transactional((trx) => appendEvents(trx, events));
  }
})();
await writing;
const writeSeconds = (performance.now() - started) / 1000;
while (lags.length < total) await new Promise((resolve) => setTimeout(resolve, 20));
const deliverSeconds = (lastArrival - started) / 1000;
lags.sort((a, b) => a - b);
const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))].toFixed(0);
process.stdout.write(
  `${dialect}: ${total} events written at ${(total / writeSeconds).toFixed(0)}/s over ${writeSeconds.toFixed(1)} s; ` +
    `all delivered after ${deliverSeconds.toFixed(1)} s (${(total / deliverSeconds).toFixed(0)}/s); ` +
    `lag write→arrival p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms\n`,
);
await app.server.close();
await database.close();
receiver.close();
await testDatabase.drop();
